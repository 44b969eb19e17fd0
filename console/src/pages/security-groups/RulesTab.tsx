// The Rules tab of /console/security-groups/:id (ECS security guide §1.7, §1.11): the group's rules
// by direction (VPC: Inbound / Outbound; classic: Internal Network Ingress / Egress, Internet
// Ingress / Egress), each table with the action (Forbid shown apart from Allow), priority,
// protocol, port range, authorization object, description and creation time; adding (one rule or a
// batch of port ranges × objects) and editing inline, in the table's own row (rules/RuleRowEditor),
// Quick Rule Creation, delete per rule, batch delete (RevokeSecurityGroup(Egress) by
// SecurityGroupRuleId.N), Restore Rules, Export Rules (JSON/CSV) and Import Rules. Every write goes
// through call(), so a RAM refusal shows the denied action.
import { useEffect, useMemo, useRef, useState } from 'react';
import { App, Button, Dropdown, Empty, Popconfirm, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { DownOutlined } from '@ant-design/icons';
import type { CheckboxProps } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { call } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { RowAction, RowActions } from '../../components/RowActions.tsx';
import type { SecurityGroupInfo } from './types.ts';
import { formatDate } from '../../format.ts';
import { peerOf, revokeAction, ruleSummary, rulesOfTab, tabsOf, type RuleTab, type WirePermission } from './rules/model.ts';
import { useInvalidateRules, useRules } from './rules/queries.ts';
import {
  DescriptionCell, NEW_RULE_KEY, ObjectCell, PolicyCell, PortsCell, PriorityCell, ProtocolCell, RuleEditorNotes, RuleEditorProvider, SaveCancelCell,
  newRuleRow, useRuleEditor,
} from './rules/RuleRowEditor.tsx';
import { QuickRuleModal } from './rules/QuickRuleModal.tsx';
import { RestoreModal } from './rules/RestoreModal.tsx';
import { ImportModal } from './rules/ImportModal.tsx';
import { exportRules, type ExportFormat } from './rules/transfer.ts';
import { DANGER_TEXT, EDIT_ROW, GREEN_TAG, RED_ROW, RED_TAG } from './rules/styles.ts';
import { useRuleHighlight } from '../tools/useRuleHighlight.ts';

/** rows per page of a rules table */
const RULES_PER_PAGE = 50;

type Dialog = { kind: 'quick' } | { kind: 'restore' } | { kind: 'import' } | undefined;


export default function RulesTab({ group }: { group: SecurityGroupInfo }) {
  const { t, lang } = useI18n();
  const { message, modal } = App.useApp();
  const tabs = useMemo(() => tabsOf(group), [group]);
  const [tabKey, setTabKey] = useState(tabs[0]!.key);
  const tab: RuleTab = tabs.find((x) => x.key === tabKey) ?? tabs[0]!;
  const [selected, setSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState<Dialog>();
  const rules = useRules(group);
  const invalidate = useInvalidateRules(group);
  const advanced = group.type === 'enterprise';

  const all = rules.data?.Permissions.Permission ?? [];
  const shown = rulesOfTab(all, tab, group);
  const [page, setPage] = useState(1);

  // the row being added or edited; a rule that is gone (deleted meanwhile) is edited no longer
  const editor = useRuleEditor(group, tab);
  const editingKey = editor.editing !== undefined && (editor.editing.key === NEW_RULE_KEY || shown.some((r) => r.SecurityGroupRuleId === editor.editing?.key))
    ? editor.editing.key : undefined;
  const isEditing = (r: WirePermission) => r.SecurityGroupRuleId === editingKey;
  const rows = editingKey === NEW_RULE_KEY ? [newRuleRow(tab), ...shown] : shown;
  function startAdd() { setPage(1); editor.startAdd(); }

  // a link that names a rule (?rule=, from Explain a flow and the exposure map) opens the tab and
  // the table page that hold it, once the rules are loaded; the hook marks the row
  const { ruleId } = useRuleHighlight();
  const opened = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (ruleId === undefined || opened.current === ruleId || rules.data === undefined) return;
    opened.current = ruleId;
    for (const x of tabs) {
      const index = rulesOfTab(all, x, group).findIndex((r) => r.SecurityGroupRuleId === ruleId);
      if (index < 0) continue;
      setTabKey(x.key);
      setPage(Math.floor(index / RULES_PER_PAGE) + 1);
      return;
    }
  }, [ruleId, rules.data, all, tabs, group]);

  const revoke = useMutation({
    mutationFn: (ids: string[]) => call('ecs', revokeAction(tab.direction), {
      RegionId: group.regionId, SecurityGroupId: group.securityGroupId,
      ...Object.fromEntries(ids.map((id, i) => [`SecurityGroupRuleId.${i + 1}`, id])),
    }),
    onSuccess: async (_, ids) => {
      setSelected((s) => s.filter((id) => !ids.includes(id)));
      await invalidate();
      void message.success(t('sgRules.deleted', { count: ids.length }));
    },
  });

  const exporting = useMutation({
    mutationFn: (format: ExportFormat) => exportRules(group, format),
    onSuccess: (name) => { void message.success(t('sgRules.exported', { name })); },
  });

  function confirmBatchDelete() {
    const victims = shown.filter((r) => selected.includes(r.SecurityGroupRuleId));
    modal.confirm({
      title: t('sgRules.batchDeleteTitle', { count: victims.length }),
      content: (
        <ul style={{ paddingLeft: 18, maxHeight: 240, overflow: 'auto' }} data-testid="batch-delete-list">
          {victims.map((r) => <li key={r.SecurityGroupRuleId}><code>{r.SecurityGroupRuleId}</code> {ruleSummary(r)}</li>)}
        </ul>
      ),
      okText: t('sgRules.delete'), okButtonProps: { danger: true }, cancelText: t('common.cancel'),
      onOk: () => revoke.mutateAsync(victims.map((r) => r.SecurityGroupRuleId)).then(() => undefined, () => undefined),
    });
  }

  // the rule whose Delete asks for confirmation now
  const [confirming, setConfirming] = useState<string | undefined>();
  const deleteButton = (r: WirePermission) => (
    <RowAction danger style={{ color: DANGER_TEXT }} onClick={() => setConfirming(r.SecurityGroupRuleId)}
      aria-label={t('sgRules.deleteRule', { id: r.SecurityGroupRuleId })}>{t('sgRules.delete')}</RowAction>
  );

  const columns = [
    {
      title: t('sgRules.action'), key: 'policy', width: 100,
      render: (_: unknown, r: WirePermission) => (isEditing(r) ? <PolicyCell /> : r.Policy.toLowerCase() === 'drop'
        ? <Tag style={{ ...RED_TAG, fontWeight: 600 }} data-testid="policy-forbid">{t('sgRules.forbid')}</Tag>
        : <Tag style={GREEN_TAG}>{t('sgRules.allow')}</Tag>),
    },
    ...(advanced ? [] : [{
      title: t('sgRules.priority'), key: 'priority', width: 90,
      render: (_: unknown, r: WirePermission) => (isEditing(r) ? <PriorityCell /> : String(r.Priority)),
      // the new row stays on top in either order
      sorter: (a: WirePermission, b: WirePermission, order?: 'ascend' | 'descend' | null) => (a.SecurityGroupRuleId === NEW_RULE_KEY ? (order === 'descend' ? 1 : -1)
        : b.SecurityGroupRuleId === NEW_RULE_KEY ? (order === 'descend' ? -1 : 1) : Number(a.Priority) - Number(b.Priority)),
    }]),
    { title: t('sgRules.protocol'), key: 'protocol', width: 150, render: (_: unknown, r: WirePermission) => (isEditing(r) ? <ProtocolCell /> : r.IpProtocol) },
    { title: t('sgRules.portRange'), key: 'ports', width: 150, render: (_: unknown, r: WirePermission) => (isEditing(r) ? <PortsCell /> : r.PortRange) },
    {
      title: t('sgRules.authObject'), key: 'peer',
      render: (_: unknown, r: WirePermission) => {
        if (isEditing(r)) return <ObjectCell />;
        const p = peerOf(r);
        if (p.kind !== 'group') return <span>{p.id}</span>;
        return (
          <span>
            <Tag>{t('sgRules.authGroup')}</Tag>{p.id}{p.name ? ` (${p.name})` : ''}
            {p.account ? <Typography.Text type="secondary"> {t('sgRules.ofAccount', { account: p.account })}</Typography.Text> : null}
          </span>
        );
      },
    },
    { title: t('sgRules.description'), key: 'description', render: (_: unknown, r: WirePermission) => (isEditing(r) ? <DescriptionCell /> : r.Description || '-') },
    { title: t('sgRules.created'), key: 'created', width: 180, render: (_: unknown, r: WirePermission) => formatDate(r.CreateTime, lang, '-') },
    {
      title: t('sgRules.actions'), key: 'actions', width: 150,
      render: (_: unknown, r: WirePermission) => (isEditing(r) ? <SaveCancelCell /> : (
        <RowActions>
          <RowAction disabled={editingKey !== undefined} onClick={() => editor.startEdit(r)}
            aria-label={t('sgRules.editRule', { id: r.SecurityGroupRuleId })}>{t('sgRules.edit')}</RowAction>
          {confirming === r.SecurityGroupRuleId ? (
            // one confirmation at a time: a Popconfirm on every row cost each row its overlay's hooks
            <Popconfirm open onOpenChange={(open) => { if (!open) setConfirming(undefined); }}
              title={t('sgRules.deleteOneTitle')} description={<span><code>{r.SecurityGroupRuleId}</code> {ruleSummary(r)}</span>}
              okText={t('sgRules.delete')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')}
              onCancel={() => setConfirming(undefined)}
              onConfirm={() => revoke.mutateAsync([r.SecurityGroupRuleId]).then(() => undefined, () => undefined).finally(() => setConfirming(undefined))}>
              {deleteButton(r)}
            </Popconfirm>
          ) : deleteButton(r)}
        </RowActions>
      )),
    },
  ];

  const toolbar = (
    <Space wrap style={{ marginBottom: 12 }}>
      <Button type="primary" disabled={editingKey !== undefined} onClick={startAdd}>{t('sgRules.add')}</Button>
      <Button onClick={() => setDialog({ kind: 'quick' })}>{t('sgRules.quick')}</Button>
      <Tooltip title={selected.length === 0 ? t('sgRules.selectToDelete') : undefined}>
        <Button danger disabled={selected.length === 0} onClick={confirmBatchDelete}>{t('sgRules.batchDelete', { count: selected.length })}</Button>
      </Tooltip>
      <Button onClick={() => setDialog({ kind: 'restore' })}>{t('sgRules.restore')}</Button>
      <Dropdown menu={{
        items: [{ key: 'json', label: t('sgRules.exportJson') }, { key: 'csv', label: t('sgRules.exportCsv') }],
        onClick: ({ key }) => exporting.mutate(key as ExportFormat),
      }}>
        <Button loading={exporting.isPending}>{t('sgRules.export')} <DownOutlined /></Button>
      </Dropdown>
      <Button onClick={() => setDialog({ kind: 'import' })}>{t('sgRules.import')}</Button>
    </Space>
  );

  return (
    <div data-testid="rules-tab">
      {toolbar}
      {revoke.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={revoke.error} /></div>}
      {exporting.isError && <div style={{ marginBottom: 12 }}><ApiErrorAlert error={exporting.error} /></div>}
      <Tabs activeKey={tab.key} onChange={(k) => { setTabKey(k); setPage(1); setSelected([]); revoke.reset(); editor.cancel(); }}
        items={tabs.map((x) => ({ key: x.key, label: `${t(x.label)} (${rulesOfTab(all, x, group).length})` }))} />
      {rules.isError ? <ApiErrorAlert error={rules.error} onRetry={() => void rules.refetch()} /> : (
        <RuleEditorProvider group={group} tab={tab} editor={editor}>
          <Table<WirePermission> rowKey="SecurityGroupRuleId" size="middle" loading={rules.isPending} dataSource={rows} columns={columns}
            pagination={{ pageSize: RULES_PER_PAGE, current: page, onChange: (p) => { setPage(p); editor.cancel(); }, hideOnSinglePage: true }} data-testid="rules-table"
            rowClassName={(r) => (isEditing(r) ? 'sg-rule-editing' : r.Policy.toLowerCase() === 'drop' ? 'sg-rule-forbid' : '')}
            onRow={(r) => (isEditing(r) ? { style: { background: EDIT_ROW, verticalAlign: 'top' } } : r.Policy.toLowerCase() === 'drop' ? { style: { background: RED_ROW } } : {})}
            // the notes under a row being edited; no expansion at all otherwise (it costs every row's render)
            expandable={editingKey === undefined ? undefined : {
              showExpandColumn: false, expandedRowKeys: [editingKey],
              rowExpandable: isEditing, expandedRowRender: () => <RuleEditorNotes error={editor.error} />,
            }}
            rowSelection={{
              selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)),
              // antd passes the checkbox's props through to the input; its type does not list aria-label
              getCheckboxProps: (r) => ({
                disabled: r.SecurityGroupRuleId === NEW_RULE_KEY,
                'aria-label': r.SecurityGroupRuleId === NEW_RULE_KEY ? t('sgRules.newRule') : t('sgRules.selectRule', { id: r.SecurityGroupRuleId }),
              }) as Partial<CheckboxProps>,
            }}
            locale={{ emptyText: <Empty description={t('sgRules.empty', { direction: t(tab.label) })} /> }} />
        </RuleEditorProvider>
      )}
      <QuickRuleModal group={group} open={dialog?.kind === 'quick'} defaults={{ direction: tab.direction, nicType: tab.nicType }} onClose={() => setDialog(undefined)} />
      {dialog?.kind === 'restore' && <RestoreModal group={group} open onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'import' && <ImportModal group={group} open onClose={() => setDialog(undefined)} />}
    </div>
  );
}

