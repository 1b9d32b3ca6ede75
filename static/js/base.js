/** Behaviour shared by every page: the theme toggle and the reload indicator in the top bar. */
import { reloader } from "./reload.js";
import { initThemeToggle } from "./theme.js";

initThemeToggle(document.querySelector("[data-theme-toggle]"));
reloader.attach(document.querySelector("[data-reload]"));
