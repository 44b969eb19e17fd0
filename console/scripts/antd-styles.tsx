// Build step (`npm run console:build`, before Vite): antd's component styles for the console's theme,
// rendered once here instead of in every browser on every page load. antd 5 writes its CSS at run
// time (CSS-in-JS): each component's first render in a page built its styles and inserted them,
// which was a large share of the console's first render. Rendered here with the console's THEME
// into one CSS file, which also carries the cache-path map (`.data-ant-cssinjs-cache-path`) that
// @ant-design/cssinjs reads at startup: a component whose styles are in the file skips building
// them. A style the file lacks (another theme, a component not rendered here) is still built at
// run time, so the file only ever saves work.
// vite.config.ts runs it (a child process with NODE_ENV=production) and serves its output as the
// module `virtual:antd-styles.css`, which main.tsx imports.
//   NODE_ENV=production tsx console/scripts/antd-styles.tsx            (the CSS on stdout)
import { createElement as h, Fragment, type ComponentType, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { createCache, extractStyle, StyleProvider } from '@ant-design/cssinjs';
import * as antd from 'antd';
import { THEME } from '../src/theme.ts';

// the class names carry a production prefix (`css-`) only in a production build: they must match the browser's
if (process.env['NODE_ENV'] !== 'production') throw new Error('run with NODE_ENV=production (antd names its classes differently otherwise)');

/** Components that need props or children to render their styles. */
const SPECIAL: Record<string, () => ReactNode> = {
  Dropdown: () => h(antd.Dropdown, { menu: { items: [] } }, h('span')),
  Menu: () => h(antd.Menu, { mode: 'inline', items: [{ type: 'group', key: 'g', label: 'g', children: [{ key: 'a', label: 'a' }] }, { key: 'b', label: 'b' }] }),
  // overlays closed, as the pages hold them: their styles are registered at render (their panels
  // render with motion off, another theme, so another cache path)
  Modal: () => h(antd.Modal, { open: false }),
  Popconfirm: () => h(antd.Popconfirm, { title: 't' }, h('span')),
  Popover: () => h(antd.Popover, { content: 'c' }, h('span')),
  Tooltip: () => h(antd.Tooltip, { title: 't' }, h('span')),
  Drawer: () => h(antd.Drawer, { open: false }),
  Table: () => h(antd.Table, {
    rowKey: 'k', size: 'middle', dataSource: [{ k: '1', a: 'x' }], columns: [{ title: 'a', dataIndex: 'a', key: 'a', sorter: true, ellipsis: true }],
    rowSelection: {}, pagination: { pageSize: 1, total: 2, showSizeChanger: true },
  }),
  Layout: () => h(antd.Layout, null, h(antd.Layout.Header), h(antd.Layout, null, h(antd.Layout.Sider, { theme: 'light' }), h(antd.Layout.Content))),
  Tabs: () => h(antd.Tabs, { items: [{ key: 'a', label: 'a', children: 'c' }] }),
  Descriptions: () => h(antd.Descriptions, { bordered: true, size: 'small', items: [{ key: 'a', label: 'a', children: 'c' }] }),
  Form: () => h(antd.Form, null, h(antd.Form.Item, { label: 'l', help: 'h' }, h(antd.Input))),
  Spin: () => h(Fragment, null, h(antd.Spin), h(antd.Spin, { tip: 't' }, h('div'))),
  Typography: () => h(Fragment, null, h(antd.Typography.Text, { type: 'secondary' }, 't'), h(antd.Typography.Link, null, 'l'), h(antd.Typography.Paragraph, null, 'p'), h(antd.Typography.Title, null, 't')),
  Input: () => h(Fragment, null, h(antd.Input), h(antd.Input.Password), h(antd.Input.Search), h(antd.Input.TextArea)),
  Space: () => h(antd.Space, null, h(antd.Space.Compact, null, h(antd.Button), h(antd.Input))),
};

/**
 * The components the console renders (its imports from 'antd', and what they render inside:
 * a table's checkboxes and pager, a form's grid, overlays' panels). A page that uses another one
 * builds its styles at run time as before; `npm run typecheck` keeps these names antd's.
 */
const USED = [
  'Alert', 'AutoComplete', 'Badge', 'Button', 'Card', 'Checkbox', 'Col', 'DatePicker', 'Descriptions', 'Drawer', 'Dropdown',
  'Empty', 'Form', 'Input', 'InputNumber', 'Layout', 'List', 'Menu', 'Modal', 'Pagination', 'Popconfirm', 'Popover', 'Progress',
  'Radio', 'Result', 'Row', 'Segmented', 'Select', 'Skeleton', 'Space', 'Spin', 'Statistic', 'Table', 'Tabs', 'Tag', 'Timeline',
  'Tooltip', 'Typography', 'Upload',
] as const satisfies ReadonlyArray<keyof typeof antd>;

const nodes: ReactNode[] = [];
for (const name of USED) {
  const special = SPECIAL[name];
  nodes.push(h(Fragment, { key: name }, special !== undefined ? special() : h(antd[name] as ComponentType)));
}
nodes.push(h(antd.App, { key: 'App' }, h('div')));

const cache = createCache();
renderToString(h(StyleProvider, { cache }, h(antd.ConfigProvider, { theme: THEME }, ...nodes)));
const css = extractStyle(cache, { plain: true });
process.stdout.write(css);
