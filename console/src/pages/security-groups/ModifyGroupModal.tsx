// Modify (SPEC §1.10.2): a group's name and description, by ModifySecurityGroupAttribute.
import { App, Form, Input, Modal } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call } from '../../api.ts';
import { useT } from '../../i18n/index.tsx';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { invalidateGroups } from './queries.ts';
import type { WireGroup } from './types.ts';

interface Values { name: string; description: string }

export function ModifyGroupModal({ region, group, onClose }: { region: string; group: WireGroup | undefined; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const modify = useMutation({
    mutationFn: (v: Values & { id: string }) => call('ecs', 'ModifySecurityGroupAttribute', {
      RegionId: region, SecurityGroupId: v.id, SecurityGroupName: v.name.trim(), Description: v.description.trim(),
    }),
    onSuccess: async (_, v) => {
      void message.success(t('sgs.modified', { id: v.id }));
      await invalidateGroups(qc);
      close();
    },
  });
  function close() {
    modify.reset();
    onClose();
  }
  const submit = async () => {
    if (group === undefined) return;
    const v = await form.validateFields();
    modify.mutate({ ...v, id: group.SecurityGroupId });
  };
  return (
    <Modal open={group !== undefined} title={t('sgs.modifyTitle', { id: group?.SecurityGroupId ?? '' })} onCancel={close} onOk={() => void submit()}
      okText={t('common.ok')} cancelText={t('common.cancel')} confirmLoading={modify.isPending} destroyOnHidden>
      {group !== undefined && (
        <Form form={form} layout="vertical" preserve={false}
          initialValues={{ name: group.SecurityGroupName, description: group.Description }}>
          <Form.Item name="name" label={t('sgs.name')} extra={t('sgs.nameRule')} rules={[{ max: 128, message: t('sgs.nameRule') }]}>
            <Input maxLength={128} />
          </Form.Item>
          <Form.Item name="description" label={t('sgs.description')} rules={[{ max: 256 }]}>
            <Input.TextArea maxLength={256} rows={3} />
          </Form.Item>
        </Form>
      )}
      {modify.isError && <ApiErrorAlert error={modify.error} />}
    </Modal>
  );
}
