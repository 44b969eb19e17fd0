// A table row's actions (Modify, Clone, Delete…): link-styled <button>s in a wrapping line. antd's
// Button costs every instance its own hooks (styles, wave, size and compact contexts), and a list
// renders a few per row: twenty rows of three buttons were a large share of a list's first
// render. These look like antd's `type="link" size="small"` buttons in the console's theme
// (row-actions.css) and are plain buttons for the keyboard and screen readers.
import type { ButtonHTMLAttributes, ReactNode } from 'react';
import './row-actions.css';

export function RowActions({ children }: { children: ReactNode }) {
  return <div className="pp-row-actions">{children}</div>;
}

type Props = ButtonHTMLAttributes<HTMLButtonElement> & { danger?: boolean };

export function RowAction({ danger = false, className, ...props }: Props) {
  const classes = ['pp-row-action', ...(danger ? ['pp-row-action-danger'] : []), ...(className !== undefined ? [className] : [])];
  return <button type="button" {...props} className={classes.join(' ')} />;
}
