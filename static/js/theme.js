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

let probe = null;

/**
 * A color custom property as a canvas can use it, e.g. cssColor("--grid") -> "rgba(0, 0, 0, 0.07)".
 * base.css writes colors as light-dark(light, dark), which getPropertyValue returns as written (the
 * same text in both themes, and no color a canvas understands); a property that takes colors, here
 * a hidden element's `color`, resolves it for the current theme.
 */
export function cssColor(name) {
  if (!probe) {
    probe = document.createElement("span");
    probe.hidden = true;
    document.body.append(probe);
  }
  probe.style.color = `var(${name})`;
  return getComputedStyle(probe).color;
}
