// The patient's visit page (visit.html). Its address carries a one-time join code in the fragment
// (#code=...): before anything else runs, and before any other module is even loaded, the code is
// taken and the fragment removed from the address bar and the history, so it is never shown,
// bookmarked, shared, logged or sent as a Referer. This module therefore has no static imports
// (they would be evaluated first); the page itself (js/visit/app.js) is loaded afterwards.
const match = /(?:^#|&)code=([^&]*)/.exec(location.hash);
const code = match ? decodeURIComponent(match[1]) : null;
if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);

const { startVisitPage } = await import('./visit/app.js');
startVisitPage(code);
