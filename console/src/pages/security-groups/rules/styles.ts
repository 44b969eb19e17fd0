// Colors of the Rules tab's green (allow, added) and red (forbid, removed) marks. antd's preset
// green and red tags and its danger link fall short of WCAG AA contrast; these are darker shades of
// the same hues (≥ 4.5:1 on their backgrounds, also on the tinted rows).
export const GREEN_TAG = { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' };
export const RED_TAG = { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' };
export const DANGER_TEXT = '#a8071a';
export const GREEN_ROW = '#f0fdf4';
export const RED_ROW = '#fef2f2';
/** the row being added or edited */
export const EDIT_ROW = '#f0f7ff';
