// "Copy a link to this setup": copies the app page's own address, which ui/links.py rewrites
// after every run so that it always holds the page's settings. With `path`, it copies that
// link resolved against the page's address instead (e.g. the students' link to a class).
//
// Where the Clipboard API is missing (an insecure origin, an old browser) or refuses (no
// permission), the link is shown in a read-only text field, selected, to copy by hand.
// Every confirmation is also written to a live region, so a screen reader announces it.
// Texts come from the app's own content; they are set with textContent, never as markup.

const widgets = new WeakMap(); // parentElement -> CopyLink, kept across reruns

export default function mount({ data, parentElement }) {
  let widget = widgets.get(parentElement);
  if (!widget) {
    widget = new CopyLink(parentElement);
    widgets.set(parentElement, widget);
  }
  widget.update(data);
  return () => {
    widget.destroy();
    widgets.delete(parentElement);
  };
}

function element(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.appendChild(node);
  return node;
}

class CopyLink {
  constructor(parent) {
    this.root = element("div", "ca-copy", parent);
    this.button = element("button", "ca-copy-button", this.root);
    this.button.type = "button";
    this.status = element("p", "ca-copy-status", this.root);
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.fallback = element("label", "ca-copy-fallback", this.root);
    this.fallbackText = element("span", "ca-copy-fallback-text", this.fallback);
    this.field = element("input", "ca-copy-field", this.fallback);
    this.field.type = "text";
    this.field.readOnly = true;
    this.fallback.hidden = true;
    this.onClick = () => this.copy();
    this.button.addEventListener("click", this.onClick);
    this.field.addEventListener("focus", () => this.field.select());
  }

  update(data) {
    this.data = data;
    this.button.textContent = data.label;
    this.fallbackText.textContent = data.fallback_label;
  }

  link() {
    const here = window.location.href;
    return this.data.path ? new URL(this.data.path, here).href : here;
  }

  async copy() {
    const url = this.link();
    const clipboard = navigator.clipboard;
    if (clipboard && typeof clipboard.writeText === "function") {
      try {
        await clipboard.writeText(url);
        this.confirm(url);
        return;
      } catch (refused) {
        // no permission or no focus: show the link instead
      }
    }
    this.showField(url);
  }

  confirm(url) {
    this.fallback.hidden = true;
    this.root.dataset.copied = url;
    this.status.textContent = this.data.done;
  }

  showField(url) {
    this.fallback.hidden = false;
    this.field.value = url;
    this.root.dataset.shown = url;
    this.status.textContent = this.data.fallback;
    this.field.focus();
    this.field.select();
  }

  destroy() {
    this.button.removeEventListener("click", this.onClick);
    this.root.remove();
  }
}
