/**
 * Behaviour shared by every page: the theme toggle, the reload indicator and the tabs in the top bar.
 * Each page's entry module (static/js/<page>/main.js) imports this first, so a page loads one
 * bundled script (scripts/build_assets.py) holding one instance of each shared module.
 */
import { reloader } from "./reload.js";
import { initThemeToggle } from "./theme.js";

initThemeToggle(document.querySelector("[data-theme-toggle]"));
reloader.attach(document.querySelector("[data-reload]"));

// The dashboard tabs scroll sideways when the top bar is narrower than all of them: keep the
// current page's tab in view (the nav narrows again when the reload indicator's text grows).
const activeTab = document.querySelector(".topbar__tab.is-active");
if (activeTab) {
  const nav = activeTab.parentElement;
  new ResizeObserver(() => {
    const overflow = activeTab.getBoundingClientRect().right - nav.getBoundingClientRect().right;
    if (overflow > 0) nav.scrollLeft += overflow;
  }).observe(nav);
}
