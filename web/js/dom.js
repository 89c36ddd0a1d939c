// A tiny view helper. Every string child becomes a text node, so data from the API or from users
// can never be parsed as HTML: this module is the only way views build markup, and no module
// parses HTML from a string (tests/web/test_static.py checks that).

const PROPS = new Set(["value", "checked", "disabled", "selected", "hidden", "htmlFor", "tabIndex"]);

/**
 * h("button", { class: "primary", on: { click } }, "text", node, [more], null)
 * Attributes are set with setAttribute (never "on*" strings: handlers go in `on`, because the
 * Content-Security-Policy forbids inline handlers anyway).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "on") {
      for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (PROPS.has(key)) {
      el[key] = value;
    } else if (key.startsWith("on")) {
      throw new Error(`use { on: { ${key.slice(2)}: fn } }, not ${key}`);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children: strings and numbers as text, nodes as they are, arrays flattened. */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all children of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let uid = 0;
/** A fresh element id, for label/for and aria-describedby pairs. */
export function newId(prefix = "gz") {
  uid += 1;
  return `${prefix}-${uid}`;
}
