// `next/form` in the browser: a form whose GET submission becomes a client navigation, as
// Next's `<Form>` does. The submitted fields become the action URL's query (a file field
// sends its name; a query already in the action is dropped, as Next drops it), and the page
// is fetched and rendered by bext/client, keeping the layouts' client state. A submitter that
// asks for another method, encoding or target, an `onSubmit` that prevents the default, or an
// action that is not a string leaves the browser to submit the form itself. On the server
// (render/js/next.js) `<Form>` writes the same `<form>` (both sides put the action under the
// base path) and leaves a client boundary so this component hydrates it.

import { createElement } from "react";
import { navigate, sitePath } from "bext/client";

const FORM_ONLY_PROPS = ["replace", "scroll", "prefetch"];
const NAVIGATING_FORM_DROPS = ["method", "encType", "target"];

function destination(action, form) {
  const url = new URL(action, location.href);
  url.search = "";
  for (const [name, value] of new FormData(form)) {
    url.searchParams.append(name, typeof value === "string" ? value : value.name);
  }
  return url;
}

export default function Form(props) {
  const { replace, scroll, onSubmit } = props;
  const form = { ...props };
  for (const key of FORM_ONLY_PROPS) delete form[key];
  if (typeof form.action !== "string") return createElement("form", form);
  for (const key of NAVIGATING_FORM_DROPS) delete form[key];
  const action = sitePath(form.action);
  form.action = action;
  form.onSubmit = (event) => {
    if (typeof onSubmit === "function") {
      onSubmit(event);
      if (event.defaultPrevented) return;
    }
    const submitter = event.nativeEvent.submitter;
    let target = action;
    if (submitter) {
      for (const name of ["formenctype", "formmethod", "formtarget"]) {
        if (submitter.hasAttribute(name)) return;
      }
      const override = submitter.getAttribute("formaction");
      if (override !== null) target = override;
    }
    const url = destination(target, event.currentTarget);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.href, { history: replace ? "replace" : "push", scroll });
  };
  return createElement("form", form);
}
