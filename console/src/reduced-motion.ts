// The visitor's "reduce motion" setting (the CSS media feature prefers-reduced-motion, set in the
// operating system or the browser), followed live: main.tsx turns antd's animations off with it
// (rc-motion's provider, the one antd's ConfigProvider uses for `motion: false`), so dialogs,
// dropdowns and drawers open and close without zooming or sliding (WCAG 2.3.3). The theme is not
// touched, so the styles rendered at build time still apply.
import { useSyncExternalStore } from 'react';

const QUERY = '(prefers-reduced-motion: reduce)';

function subscribe(onChange: () => void): () => void {
  const list = window.matchMedia(QUERY);
  list.addEventListener('change', onChange);
  return () => list.removeEventListener('change', onChange);
}

/** Whether the visitor asks for reduced motion. */
export function useReducedMotion(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(QUERY).matches, () => false);
}
