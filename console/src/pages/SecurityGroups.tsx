// /console/security-groups — the region's security groups (SPEC §1.10.1, CONSOLE.md "Security
// groups"): id, name, VPC, type, network type, rule count, instance count, tags, created; search by
// name, id, VPC id or tag (DescribeSecurityGroups' filters), paged by the server (PageNumber /
// PageSize); Create (from a template), Modify, Clone, and multi-select Delete with the
// dependencies that block it. The dialogs are in pages/security-groups/.
import { useEffect, useState } from 'react';
import { Button, Empty, type CheckboxProps, Input, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Params } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';
import { useRegion, useRegionLink } from '../region.ts';
import { FIRST_PAGE, listQuery } from './security-groups/preload.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { RowAction, RowActions } from '../components/RowActions.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { formatDate, networkTypeOf, type WireGroup } from './security-groups/types.ts';
import { CreateGroupModal } from './security-groups/CreateGroupModal.tsx';
import { ModifyGroupModal } from './security-groups/ModifyGroupModal.tsx';
import { CloneGroupModal } from './security-groups/CloneGroupModal.tsx';
import { DeleteGroupsModal } from './security-groups/DeleteGroupsModal.tsx';


type SearchField = 'name' | 'id' | 'vpc' | 'tag';
interface Search { field: SearchField; text: string }

/** The search as DescribeSecurityGroups filters; a tag is `key` or `key=value`. */
function filterParams(s: Search): Params {
  const text = s.text.trim();
  if (text === '') return {};
  switch (s.field) {
    case 'name': return { SecurityGroupName: text };
    case 'id': return { SecurityGroupId: text };
    case 'vpc': return { VpcId: text };
    case 'tag': {
      const eq = text.indexOf('=');
      return eq < 0 ? { 'Tag.1.Key': text } : { 'Tag.1.Key': text.slice(0, eq).trim(), 'Tag.1.Value': text.slice(eq + 1).trim() };
    }
  }
}

export default function SecurityGroups() {
  const { t, lang } = useI18n();
  const [region] = useRegion();
  const link = useRegionLink();
  const [field, setField] = useState<SearchField>('name');
  const [text, setText] = useState('');
  const [search, setSearch] = useState<Search>({ field: 'name', text: '' });
  const [page, setPage] = useState(FIRST_PAGE);
  const [selected, setSelected] = useState<WireGroup[]>([]);
  const [creating, setCreating] = useState(false);
  const [modifying, setModifying] = useState<WireGroup | undefined>(undefined);
  const [cloning, setCloning] = useState<WireGroup | undefined>(undefined);
  const [deleting, setDeleting] = useState<WireGroup[]>([]);

  // another region: its first page, nothing selected
  // (the same state when nothing changes: the mount must not render the table twice)
  useEffect(() => {
    setPage((p) => (p.number === 1 ? p : { ...p, number: 1 }));
    setSelected((s) => (s.length === 0 ? s : []));
  }, [region]);

  const filters = filterParams(search);
  const list = useQuery({ ...listQuery(region, filters, page.number, page.size), placeholderData: keepPreviousData });
  const rows = list.data?.SecurityGroups.SecurityGroup ?? [];
  const searching = Object.keys(filters).length > 0;

  const runSearch = () => {
    setSearch({ field, text });
    setPage((p) => ({ ...p, number: 1 }));
  };

  const columns: TableColumnsType<WireGroup> = [
    {
      title: t('sgs.colIdName'), key: 'id',
      render: (_, g) => (
        <div>
          <Link to={link(`security-groups/${g.SecurityGroupId}`)} data-testid="sg-id">{g.SecurityGroupId}</Link>
          <div><Typography.Text type="secondary">{g.SecurityGroupName || '—'}</Typography.Text></div>
        </div>
      ),
    },
    { title: t('sgs.colVpc'), key: 'vpc', render: (_, g) => (g.VpcId === '' ? '—' : <code>{g.VpcId}</code>) },
    { title: t('sgs.colType'), key: 'type', render: (_, g) => (g.SecurityGroupType === 'enterprise' ? t('sgs.typeAdvanced') : t('sgs.typeBasic')) },
    { title: t('sgs.colNetworkType'), key: 'network', render: (_, g) => (networkTypeOf(g) === 'vpc' ? t('sgs.vpc') : t('sgs.classic')) },
    { title: t('sgs.colRules'), key: 'rules', align: 'right', render: (_, g) => g.RuleCount ?? '—' },
    { title: t('sgs.colInstances'), key: 'instances', align: 'right', render: (_, g) => g.EcsCount ?? '—' },
    {
      title: t('sgs.colTags'), key: 'tags',
      render: (_, g) => (g.Tags?.Tag.length ? g.Tags.Tag.map((x) => <Tag key={x.TagKey}>{x.TagValue === '' ? x.TagKey : `${x.TagKey}: ${x.TagValue}`}</Tag>) : '—'),
    },
    { title: t('sgs.colDescription'), key: 'description', ellipsis: true, render: (_, g) => g.Description || '—' },
    { title: t('sgs.colCreated'), key: 'created', render: (_, g) => formatDate(g.CreationTime, lang) },
    {
      title: t('sgs.colActions'), key: 'actions',
      render: (_, g) => (
        <RowActions>
          <Link to={link(`security-groups/${g.SecurityGroupId}`)} aria-label={t('sgs.manageRulesOf', { id: g.SecurityGroupId })}>{t('sgs.manageRules')}</Link>
          <RowAction onClick={() => setModifying(g)} aria-label={t('sgs.modifyOf', { id: g.SecurityGroupId })}>{t('sgs.modify')}</RowAction>
          <RowAction onClick={() => setCloning(g)} aria-label={t('sgs.cloneOf', { id: g.SecurityGroupId })}>{t('sgs.clone')}</RowAction>
          <RowAction danger onClick={() => setDeleting([g])} aria-label={t('sgs.deleteOf', { id: g.SecurityGroupId })}>{t('sgs.delete')}</RowAction>
        </RowActions>
      ),
    },
  ];

  return (
    <>
      <PageTitle title={t('nav.securityGroups')}
        extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('sgs.create')}</Button>} />
      <Space wrap style={{ marginBottom: 16 }}>
        <Space.Compact>
          <Select<SearchField> aria-label={t('sgs.searchBy')} value={field} onChange={setField} style={{ width: 190 }} options={[
            { value: 'name', label: t('sgs.name') },
            { value: 'id', label: t('sgs.id') },
            { value: 'vpc', label: t('sgs.vpcId') },
            { value: 'tag', label: t('sgs.tag') },
          ]} />
          <Input aria-label={t('sgs.searchText')} value={text} onChange={(e) => setText(e.target.value)} onPressEnter={runSearch} allowClear
            placeholder={field === 'tag' ? t('sgs.tagSearchPlaceholder') : t('sgs.searchPlaceholder')} style={{ width: 300 }} />
          <Button type="primary" onClick={runSearch}>{t('sgs.search')}</Button>
        </Space.Compact>
        <Button icon={<ReloadOutlined />} aria-label={t('sgs.refresh')} onClick={() => void list.refetch()} />
      </Space>
      {list.isError && <div style={{ marginBottom: 16 }}><ApiErrorAlert error={list.error} onRetry={() => void list.refetch()} /></div>}
      <Table<WireGroup> rowKey="SecurityGroupId" data-testid="sg-table" columns={columns} dataSource={rows} loading={list.isFetching} size="middle"
        rowSelection={{
          selectedRowKeys: selected.map((g) => g.SecurityGroupId), preserveSelectedRowKeys: true,
          onChange: (_, chosen) => setSelected(chosen.filter((g): g is WireGroup => g !== undefined)),
          // antd passes it on to the input; its type does not list aria attributes
          getCheckboxProps: (g) => ({ 'aria-label': t('sgs.select', { id: g.SecurityGroupId }) }) as CheckboxProps,
        }}
        locale={{ emptyText: list.isPending ? ' ' : <Empty description={searching ? t('sgs.noMatch') : t('sgs.empty', { region })} /> }}
        pagination={{
          current: page.number, pageSize: page.size, total: list.data?.TotalCount ?? 0, showSizeChanger: true, pageSizeOptions: [10, 20, 50, 100],
          showTotal: (total) => t('sgs.total', { count: total }),
          onChange: (number, size) => setPage({ number: size === page.size ? number : 1, size }),
        }}
        footer={() => (
          <Space>
            <Button danger disabled={selected.length === 0} onClick={() => setDeleting(selected)}>{t('sgs.deleteSelected', { count: selected.length })}</Button>
          </Space>
        )} />
      <CreateGroupModal region={region} open={creating} onClose={() => setCreating(false)} />
      <ModifyGroupModal region={region} group={modifying} onClose={() => setModifying(undefined)} />
      <CloneGroupModal region={region} group={cloning} onClose={() => setCloning(undefined)} />
      <DeleteGroupsModal region={region} groups={deleting} onClose={() => setDeleting([])}
        onDeleted={(ids) => setSelected((s) => s.filter((g) => !ids.includes(g.SecurityGroupId)))} />
    </>
  );
}
