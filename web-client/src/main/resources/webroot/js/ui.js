// The UI library, in one place: Preact with hooks, and htm for markup in tagged templates (no build
// step, no JSX). The module comes from the Maven artifact org.mvnpm:htm and the server serves it
// from its own origin at /lib/htm/ (see docs/architecture.md, "Web client"). Pages import from here,
// never from the library path, so a version or library change touches this file only.
// Re-export only what pages use; UiLibraryTest checks that the library exports each name.
export { html, render, useState, useEffect, useLayoutEffect, useReducer, useRef } from '/lib/htm/preact/standalone.module.js';
