// The Rules tab's editable row (antd's "editable rows": one Form around the table, a Form.Item per
// cell). Add Security Group Rule puts a new row at the top of the table; Edit turns a rule's row
// into the same cells. Save sends the row (form.ts: adding, every port range × object in one
// Authorize call; editing, Modify…Rule by SecurityGroupRuleId), Cancel drops it and the table shows
// what the API has. Under the row: the 0.0.0.0/0 risk warning, how many rules Save adds, the
// fields' help and the API's error (a RAM refusal names the action). One row is edited at a time.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { App, AutoComplete, Button, Form, Input, InputNumber, Select, Space, Tag, Typography, type FormInstance } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { call } from '../../../api.ts';
import { useT } from '../../../i18n/index.tsx';
import { ApiErrorAlert } from '../../../components/ApiErrorAlert.tsx';
import type { SecurityGroupInfo } from '../types.ts';
import { MAX_OBJECTS, PROTOCOL_TYPES, protocolType, splitList, type RuleTab, type WirePermission } from './model.ts';
import {
  addCall, entryOf, groupAuthAllowed, initialValues, ipv6Allowed, maxObjects, modifyCall, objectsProblem, onlySingleAddresses, portRangesProblem,
  ruleCount, type Problem, type RuleFormValues,
} from './form.ts';
import { RiskWarning } from './RiskWarning.tsx';
import { useInvalidateRules, useSameNetworkGroups } from './queries.ts';
import { GREEN_TAG } from './styles.ts';

/** The row key of the rule being added (rule ids are `sgr-…`, so it never names a rule). */
export const NEW_RULE_KEY = 'new-rule';

/** The new row's record: what the table needs to render a row; its cells are the form's. */
export function newRuleRow(tab: RuleTab): WirePermission {
  return {
    SecurityGroupRuleId: NEW_RULE_KEY, Direction: tab.direction, IpProtocol: '', PortRange: '', Policy: 'accept', Priority: '', NicType: tab.nicType,
    SourceCidrIp: '', DestCidrIp: '', SourceGroupId: '', SourceGroupOwnerAccount: '', DestGroupId: '', DestGroupOwnerAccount: '', Description: '', CreateTime: '',
  };
}

/** The row being edited: the new one, or an existing rule. */
export type Editing = { key: typeof NEW_RULE_KEY } | { key: string; rule: WirePermission };

interface Editor {
  group: SecurityGroupInfo;
  tab: RuleTab;
  form: FormInstance<RuleFormValues>;
  adding: boolean;
  saving: boolean;
  submit: () => void;
  cancel: () => void;
}

const EditorContext = createContext<Editor | undefined>(undefined);

function useEditor(): Editor {
  const e = useContext(EditorContext);
  if (e === undefined) throw new Error('an editable rule cell outside RuleEditorProvider');
  return e;
}

/**
 * The editing state of one rules table: which row is open, the form, and the save. `onSaved` runs
 * after a save the API accepted (the rules are invalidated first).
 */
export function useRuleEditor(group: SecurityGroupInfo, tab: RuleTab) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<RuleFormValues>();
  const [editing, setEditing] = useState<Editing>();
  const invalidate = useInvalidateRules(group);

  const save = useMutation({
    mutationFn: async ({ values, target }: { values: RuleFormValues; target: Editing }) => {
      const entry = entryOf(values, group, tab);
      const c = 'rule' in target ? modifyCall(entry, group, target.key) : addCall(entry, group);
      await call('ecs', c.action, c.params);
      if ('rule' in target) return t('sgRules.modified', { id: target.key });
      const count = ruleCount(entry);
      return count === 1 ? t('sgRules.addedOne') : t('sgRules.added', { count });
    },
    onSuccess: async (text) => {
      await invalidate();
      setEditing(undefined);
      void message.success(text);
    },
  });

  function open(target: Editing) {
    save.reset();
    form.resetFields();
    form.setFieldsValue(initialValues('rule' in target ? target.rule : undefined));
    setEditing(target);
  }

  const cancel = () => { save.reset(); setEditing(undefined); };
  const submit = () => {
    if (editing === undefined || save.isPending) return;
    const target = editing;
    form.validateFields().then(
      () => save.mutate({ values: form.getFieldsValue(true) as RuleFormValues, target }),
      () => undefined, // the cells show what is wrong
    );
  };

  return {
    form, editing, saving: save.isPending,
    startAdd: () => open({ key: NEW_RULE_KEY }),
    startEdit: (rule: WirePermission) => open({ key: rule.SecurityGroupRuleId, rule }),
    cancel, submit, error: save.isError ? save.error : undefined,
  };
}

export type RuleEditor = ReturnType<typeof useRuleEditor>;

/** The form around the table, and what its cells need; the cells' error text in an AA-contrast red. */
export function RuleEditorProvider({ group, tab, editor, children }: { group: SecurityGroupInfo; tab: RuleTab; editor: RuleEditor; children: ReactNode }) {
  const adding = editor.editing?.key === NEW_RULE_KEY;
  const { form, saving, submit, cancel } = editor;
  const value = useMemo<Editor>(() => ({ group, tab, form, adding, saving, submit, cancel }), [group, tab, form, adding, saving, submit, cancel]);
  return (
    <>
      <Form form={form} name="sg-rule" component={false}>
        <EditorContext.Provider value={value}>{children}</EditorContext.Provider>
      </Form>
    </>
  );
}

const CELL = { margin: 0 };

/** A validator of antd's Form from a check that returns a Problem. */
function check(t: ReturnType<typeof useT>, problem: (value: string | undefined) => Problem | undefined) {
  return {
    validator: async (_: unknown, value: string | undefined) => {
      const p = problem(value);
      if (p !== undefined) throw new Error(t(...p));
    },
  };
}

export function PolicyCell() {
  const t = useT();
  const { group } = useEditor();
  if (group.type === 'enterprise') return <Tag style={GREEN_TAG}>{t('sgRules.allow')}</Tag>;
  return (
    <Form.Item name="policy" style={CELL}>
      <Select aria-label={t('sgRules.action')} style={{ width: '100%' }} popupMatchSelectWidth={false}
        options={[{ value: 'accept', label: t('sgRules.allow') }, { value: 'drop', label: t('sgRules.forbid') }]} />
    </Form.Item>
  );
}

export function PriorityCell() {
  const t = useT();
  const { submit } = useEditor();
  return (
    <Form.Item name="priority" style={CELL} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('sgRules.priorityInvalid') }]}>
      <InputNumber aria-label={t('sgRules.priority')} min={1} max={100} precision={0} style={{ width: '100%' }} onPressEnter={submit} />
    </Form.Item>
  );
}

export function ProtocolCell() {
  const t = useT();
  const { form } = useEditor();
  return (
    <Form.Item name="protocolType" style={CELL}>
      <Select aria-label={t('sgRules.protocolType')} showSearch optionFilterProp="label" style={{ width: '100%' }} popupMatchSelectWidth={false}
        options={PROTOCOL_TYPES.map((p) => ({ value: p.id, label: p.label }))}
        onChange={(id: string) => { form.setFields([{ name: 'portRange', value: protocolType(id).ports ?? '', errors: [] }]); }} />
    </Form.Item>
  );
}

export function PortsCell() {
  const t = useT();
  const { form, adding, submit } = useEditor();
  const fixed = protocolType(Form.useWatch('protocolType', form) ?? 'tcp').ports !== undefined;
  return (
    <Form.Item name="portRange" style={CELL} rules={fixed ? [] : [check(t, (v) => portRangesProblem(splitList(v), { one: !adding }))]}>
      <Input aria-label={t('sgRules.portRange')} style={{ minWidth: 120 }} disabled={fixed} placeholder={adding ? '22/23,443/443' : '8080/8080'} onPressEnter={submit} />
    </Form.Item>
  );
}

export function ObjectCell() {
  const t = useT();
  const { group, tab, form, adding, submit } = useEditor();
  const groupAuth = groupAuthAllowed(group, tab);
  const single32 = onlySingleAddresses(group, tab);
  const byGroup = groupAuth && (Form.useWatch('authType', form) ?? 'cidr') === 'group';
  const peers = useSameNetworkGroups(group, groupAuth);
  const peerOptions = useMemo(() => (peers.data ?? [])
    .filter((g) => g.SecurityGroupId !== group.securityGroupId && (group.networkType === 'classic' || g.VpcId === group.vpcId))
    .map((g) => ({ value: g.SecurityGroupId, label: `${g.SecurityGroupId} (${g.SecurityGroupName || '-'})` })), [peers.data, group]);
  return (
    <Space direction="vertical" size={4} style={{ width: '100%', minWidth: 170 }}>
      {groupAuth && (
        <Form.Item name="authType" style={CELL}>
          <Select aria-label={t('sgRules.authType')} style={{ width: '100%' }} popupMatchSelectWidth={false}
            options={[{ value: 'cidr', label: t('sgRules.authCidr') }, { value: 'group', label: t('sgRules.authGroup') }]} />
        </Form.Item>
      )}
      {byGroup ? (
        <>
          <Form.Item name="groupId" style={CELL} rules={[{ required: true, whitespace: true, message: t('sgRules.groupRequired') }]}>
            <AutoComplete aria-label={t('sgRules.authGroupId')} options={peerOptions} placeholder="sg-…" filterOption={(input, o) => String(o?.value ?? '').includes(input)} />
          </Form.Item>
          <Form.Item name="groupOwnerAccount" style={CELL}>
            <Input aria-label={t('sgRules.accountId')} placeholder={t('sgRules.accountIdPlaceholder')} onPressEnter={submit} />
          </Form.Item>
        </>
      ) : (
        <Form.Item name="objects" style={CELL} dependencies={['protocolType']} rules={[check(t, (v) => objectsProblem(splitList(v), {
          max: maxObjects(adding), single32, ipv6: ipv6Allowed(group), protocol: protocolType(String(form.getFieldValue('protocolType') ?? 'tcp')).protocol,
        }))]}>
          <Input aria-label={t('sgRules.authObject')} placeholder={single32 ? '10.0.0.5/32' : !ipv6Allowed(group) ? (adding ? '10.0.0.0/8, 192.168.1.1/32' : '10.0.0.0/8') : adding ? '10.0.0.0/8, 2001:db8::/64' : '10.0.0.0/8'} onPressEnter={submit} />
        </Form.Item>
      )}
    </Space>
  );
}

export function DescriptionCell() {
  const t = useT();
  const { submit } = useEditor();
  return (
    <Form.Item name="description" style={CELL} rules={[{ max: 512 }]}>
      <Input aria-label={t('sgRules.description')} style={{ minWidth: 120 }} onPressEnter={submit} />
    </Form.Item>
  );
}

export function SaveCancelCell() {
  const t = useT();
  const { saving, submit, cancel } = useEditor();
  return (
    <Space size="small">
      <Button type="primary" size="small" loading={saving} onClick={submit}>{t('sgRules.save')}</Button>
      <Button size="small" disabled={saving} onClick={cancel}>{t('common.cancel')}</Button>
    </Space>
  );
}

/** Under the row: the risk of 0.0.0.0/0, how many rules Save adds, the fields' help, the API's error. */
export function RuleEditorNotes({ error }: { error: unknown }) {
  const t = useT();
  const { group, tab, form, adding } = useEditor();
  const values: Partial<RuleFormValues> | undefined = Form.useWatch([], { form, preserve: true });
  const v = { ...initialValues(undefined), ...values };
  const entry = entryOf(v, group, tab);
  const groupAuth = entry.authType === 'group';
  const fixed = protocolType(v.protocolType).ports !== undefined;
  const help = [
    ...(fixed ? [] : [t(adding ? 'sgRules.portRangeHelpMany' : 'sgRules.portRangeHelp')]),
    ...(groupAuth ? [t('sgRules.accountIdHelp')]
      : onlySingleAddresses(group, tab) ? [t('sgRules.objectsHelp32')]
        : adding ? [t('sgRules.objectsHelp', { max: MAX_OBJECTS })] : []),
    ...(group.type === 'enterprise' ? [] : [t('sgRules.priorityHelp')]),
  ];
  return (
    <div data-testid="rule-editor-notes">
      {tab.direction === 'ingress' && entry.policy === 'accept' && !groupAuth
        && <RiskWarning protocol={entry.protocol} ranges={entry.ranges} objects={entry.objects} />}
      {adding && (
        <Typography.Paragraph strong style={{ marginBottom: 4 }} data-testid="rule-count">
          {ruleCount(entry) === 1 ? t('sgRules.willAddOne') : t('sgRules.willAdd', { count: ruleCount(entry) })}
        </Typography.Paragraph>
      )}
      {help.map((h) => <Typography.Paragraph key={h} type="secondary" style={{ marginBottom: 2 }}>{h}</Typography.Paragraph>)}
      {error !== undefined && <div style={{ marginTop: 8 }}><ApiErrorAlert error={error} /></div>}
    </div>
  );
}
