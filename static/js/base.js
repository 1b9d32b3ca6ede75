/**
 * Behaviour shared by every page: the theme toggle, the reload indicator and the tabs in the top bar.
 * Each page's entry module (static/js/<page>/main.js) imports this first, so a page loads one
 * bundled script (scripts/build_assets.py) holding one instance of each shared module.
 */
import { CLS } from "./classes.js";
import { reloader } from "./reload.js";
import { initThemeToggle } from "./theme.js";

initThemeToggle(document.querySelector("[data-theme-toggle]"));
reloader.attach(document.querySelector("[data-reload]"));

// The dashboard tabs that do not fit the top bar move into its "More" menu, in order, the current
// page's tab always staying in the bar. Laid out again whenever the bar or the reload indicator
// (whose text grows and shrinks) changes size.
const nav = document.querySelector(".topbar__nav");
const more = document.querySelector("[data-tab-overflow]");
if (nav && more) {
  const tabs = [...nav.querySelectorAll(`.${CLS.tab}`)];
  const active = tabs.find((tab) => tab.classList.contains(CLS.active));
  const menu = more.querySelector(".topbar__menu");
  let menuKey = "";

  const layoutTabs = () => {
    for (const tab of tabs) tab.hidden = false;
    more.hidden = true;
    if (nav.scrollWidth <= nav.clientWidth) {
      more.open = false;
      return;
    }
    more.hidden = false;  // the button takes its room from the nav
    const room = nav.getBoundingClientRect().width - 1;  // fractional widths; 1 px for rounding
    const gap = parseFloat(getComputedStyle(nav).columnGap) || 0;
    const widthOf = (tab) => tab.getBoundingClientRect().width;
    let used = active ? widthOf(active) : 0;
    const kept = new Set(active ? [active] : []);
    for (const tab of tabs) {
      if (tab === active) continue;
      const width = widthOf(tab) + gap;
      if (used + width > room) break;
      used += width;
      kept.add(tab);
    }
    const moved = tabs.filter((tab) => !kept.has(tab));
    for (const tab of moved) tab.hidden = true;
    const key = moved.map((tab) => tab.dataset.dashboard).join(" ");
    if (key === menuKey) return;
    menuKey = key;
    menu.replaceChildren(...moved.map((tab) => {
      const item = document.createElement("a");
      item.className = CLS.tabMenuItem;
      item.href = tab.getAttribute("href");
      item.textContent = tab.textContent;
      item.setAttribute("role", "menuitem");
      return item;
    }));
  };

  const observer = new ResizeObserver(layoutTabs);
  observer.observe(document.querySelector(".topbar"));
  const indicator = document.querySelector("[data-reload]");
  if (indicator) observer.observe(indicator);
  // The menu closes on a click elsewhere or Escape, as other menus do.
  document.addEventListener("click", (event) => {
    if (more.open && !more.contains(event.target)) more.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && more.open) more.open = false;
  });
}
