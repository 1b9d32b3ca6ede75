/** Tiny DOM helpers: build elements without innerHTML, so names from the logdir are never parsed. */

/**
 * h("div", {class: "x", dataset: {run: "a"}, onclick: fn}, child, "text", ...)
 * Properties starting with "on" become listeners; `dataset` and `style` objects are merged;
 * other keys are set as attributes. Children may be nodes, strings, numbers, null or arrays.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "style" && typeof value === "object") {
      for (const [name, v] of Object.entries(value)) el.style.setProperty(name, v);
    } else if (key === "class") {
      el.className = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Elements of a cloned <template> marked with data-ref="name", as {name: element}. */
export function refs(root) {
  const out = {};
  for (const el of root.querySelectorAll("[data-ref]")) out[el.dataset.ref] = el;
  return out;
}

/** Compile a user-typed regular expression; returns {regex, valid}. Empty text matches everything. */
export function userRegex(text) {
  if (!text) return { regex: null, valid: true };
  try {
    return { regex: new RegExp(text, "i"), valid: true };
  } catch {
    return { regex: null, valid: false };
  }
}
