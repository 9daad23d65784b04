// Small texts kept in this browser's localStorage, each under its own name (data.name): the
// quiz in progress, so that a reload or a new tab carries on where the student was, and
// whether the Explore guide was put away. The server keeps no copy: any server process behind
// a load balancer can pick them up again from what this browser sends.
//
// Streamlit components v2 calls the default export with {data, setTriggerValue} whenever the
// data changes. Each session has its own token (data.request): the first time this page sees
// a token, it reads the stored text and, only if there is one, hands it back to Python (so a
// student with nothing stored costs no extra rerun). It reads before it writes, and Python
// sends a text only when its session has a quiz of its own (newer than any stored one) or the
// student cleared it: a new text only when the quiz changed (data.save with a new
// data.revision; null removes it). Nothing is fetched, and the text is never put in the page:
// it goes back to Python, which validates it like an uploaded progress file.

const PREFIX = "cellular-attention:";
// Per page load and name: the request already answered and the revision already written, so
// that a re-render with the same data does nothing.
const seenByName = (globalThis.__caBrowserStore ||= {});

function problemName(error) {
  return (error && error.name) || "Error";
}

function answer(store, request, setTriggerValue) {
  let text = null;
  let problem = null;
  try {
    text = window.localStorage.getItem(store);
  } catch (error) {
    problem = problemName(error); // e.g. SecurityError: storage blocked for this site
  }
  if (text !== null || problem !== null) setTriggerValue("loaded", { request, text, problem });
}

function write(store, revision, text, setTriggerValue) {
  try {
    if (text === null) window.localStorage.removeItem(store);
    else window.localStorage.setItem(store, text);
  } catch (error) {
    setTriggerValue("failed", { revision, problem: problemName(error) }); // e.g. quota full
  }
}

export default function mount({ data, setTriggerValue }) {
  const store = PREFIX + data.name;
  const seen = (seenByName[data.name] ||= { answered: null, written: null });
  if (data.request && data.request !== seen.answered) {
    seen.answered = data.request;
    answer(store, data.request, setTriggerValue);
  }
  if ("save" in data && data.revision && data.revision !== seen.written) {
    seen.written = data.revision;
    write(store, data.revision, data.save, setTriggerValue);
  }
}
