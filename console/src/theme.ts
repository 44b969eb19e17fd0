// The console's antd theme, one for every page: main.tsx gives it to ConfigProvider, and the build
// (scripts/antd-styles.tsx) renders antd's styles with it into a CSS file.
// Alibaba-like orange, dark enough for white text on buttons; links a darker blue than antd's
// (#1677ff is 4.0:1 on white); secondary and tertiary text darker
// than antd's defaults (45% and 25% black), which fail WCAG AA contrast (axe: color-contrast) on the
// menu's group titles and secondary paragraphs
// Hover and active shades are darker than the base, not lighter as antd derives them, so a hovered
// button or link keeps AA contrast too. The error red and disabled text are darker than antd's
// (#ff4d4f and 25% black are below 4.5:1 on white), for the whole console: a nested theme for
// some pages would make antd generate every component's styles again for them.
export const THEME = {
  token: { colorPrimary: '#c2410c', colorPrimaryHover: '#9a3412', colorPrimaryActive: '#7c2d12', colorLink: '#0958d9', colorLinkHover: '#003eb3', colorLinkActive: '#002c8c', borderRadius: 4, colorTextDescription: 'rgba(0, 0, 0, 0.65)', colorTextTertiary: 'rgba(0, 0, 0, 0.6)', colorError: '#cf1322', colorErrorHover: '#a8071a', colorErrorActive: '#820014', colorTextDisabled: 'rgba(0, 0, 0, 0.56)' },
};
