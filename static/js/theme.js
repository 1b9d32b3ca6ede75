/**
 * Light/dark theme. The OS preference (prefers-color-scheme) applies until the user presses the
 * toggle; the choice is then kept in localStorage ("board.theme") and set as <html data-theme>.
 * Listeners get a "board:themechange" event on window whenever the effective theme changes.
 */
const KEY = "board.theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");

export function currentTheme() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "dark" || chosen === "light") return chosen;
  return media.matches ? "dark" : "light";
}

function announce() {
  window.dispatchEvent(new CustomEvent("board:themechange", { detail: { theme: currentTheme() } }));
}

export function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
  announce();
}

export function initThemeToggle(button) {
  media.addEventListener("change", () => {
    if (!document.documentElement.dataset.theme) announce();
  });
  if (!button) return;
  button.addEventListener("click", () => setTheme(currentTheme() === "dark" ? "light" : "dark"));
}

/** Value of a CSS custom property on <html>, e.g. cssVar("--grid"). */
export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
