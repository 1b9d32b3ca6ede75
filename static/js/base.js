/**
 * Behaviour shared by every page: the theme toggle and the reload indicator in the top bar.
 * Each page's entry module (static/js/<page>/main.js) imports this first, so a page loads one
 * bundled script (scripts/build_assets.py) holding one instance of each shared module.
 */
import { reloader } from "./reload.js";
import { initThemeToggle } from "./theme.js";

initThemeToggle(document.querySelector("[data-theme-toggle]"));
reloader.attach(document.querySelector("[data-reload]"));
