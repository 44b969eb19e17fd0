// RAM 2015-05-01: users, login profiles, AccessKeys, groups, policies and their versions, attachments
// and roles; the password policy, ChangePassword, the account alias and virtual MFA devices. Handlers call src/domain/ram/ and map its views to the wire; nothing here reads a row.
import { z } from 'zod';
import { op } from '../catalog.ts';
import { t } from '../params.ts';
import * as users from '../../domain/ram/users.ts';
import * as loginProfiles from '../../domain/ram/login-profiles.ts';
import * as accessKeys from '../../domain/ram/access-keys.ts';
import * as groups from '../../domain/ram/groups.ts';
import * as policies from '../../domain/ram/policies.ts';
import * as policyVersions from '../../domain/ram/policy-versions.ts';
import * as attachments from '../../domain/ram/attachments.ts';
import * as roles from '../../domain/ram/roles.ts';
import * as passwordPolicy from '../../domain/ram/password-policy.ts';
import * as accountAlias from '../../domain/ram/account-alias.ts';
import * as mfa from '../../domain/ram/mfa-devices.ts';
import { apiError } from '../../domain/errors.ts';

const ramArn = (account: string, relative: string) => `acs:ram::${account.replace(/:/g, '%3A')}:${relative}`;
const wireUser = (u: users.RamUser) => ({ UserId: u.userId, UserName: u.userName, DisplayName: u.displayName, Comments: u.comments, Email: u.email, MobilePhone: u.mobilePhone, CreateDate: u.createDate, UpdateDate: u.updateDate });
const wireProfile = (p: loginProfiles.LoginProfile) => ({ UserName: p.userName, PasswordResetRequired: p.passwordResetRequired, MFABindRequired: p.mfaBindRequired, CreateDate: p.createDate });
const wireGroup = (g: groups.RamGroup) => ({ GroupId: g.groupId, GroupName: g.groupName, Comments: g.comments, CreateDate: g.createDate, UpdateDate: g.updateDate });
const wirePolicy = (p: policies.RamPolicy) => ({ PolicyName: p.policyName, PolicyType: p.policyType, Description: p.description, DefaultVersion: p.defaultVersion, CreateDate: p.createDate, UpdateDate: p.updateDate, AttachmentCount: p.attachmentCount });
const wireVersion = (v: policyVersions.PolicyVersion) => ({ VersionId: v.versionId, IsDefaultVersion: v.isDefaultVersion, PolicyDocument: v.policyDocument, CreateDate: v.createDate });
const wireRole = (r: roles.RamRole) => ({
  RoleId: r.roleId, RoleName: r.roleName, Arn: r.arn, Description: r.description, AssumeRolePolicyDocument: r.assumeRolePolicyDocument,
  MaxSessionDuration: r.maxSessionDuration, CreateDate: r.createDate, UpdateDate: r.updateDate,
});
const NAME = t.str(128);
const wirePasswordPolicy = (p: passwordPolicy.PasswordPolicy) => ({
  MinimumPasswordLength: p.minimumPasswordLength, RequireLowercaseCharacters: p.requireLowercaseCharacters, RequireUppercaseCharacters: p.requireUppercaseCharacters,
  RequireNumbers: p.requireNumbers, RequireSymbols: p.requireSymbols, HardExpiry: p.hardExpiry, MaxPasswordAge: p.maxPasswordAge,
  PasswordReusePrevention: p.passwordReusePrevention, MaxLoginAttemps: p.maxLoginAttemps,
});
const wireMfaDevice = (d: mfa.MfaDevice) => ({
  SerialNumber: d.serialNumber,
  ...(d.activateDate !== undefined ? { ActivateDate: d.activateDate } : {}),
  ...(d.user !== undefined ? { User: { UserName: d.user.userName, UserId: d.user.userId, DisplayName: d.user.displayName } } : {}),
});

function paged<T>(items: T[], marker: string | undefined, maxItems: number | undefined): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const start = marker === undefined || marker === '' ? 0 : Number(marker);
  const size = maxItems ?? 100;
  if (!Number.isInteger(start) || start < 0) throw apiError('InvalidParameter.Marker', { marker });
  const page = items.slice(start, start + size);
  return start + size < items.length ? { items: page, IsTruncated: true, Marker: String(start + size) } : { items: page, IsTruncated: false };
}

function attachOp(action: string, principalType: attachments.PrincipalType, attach: boolean) {
  const key = `${principalType}Name` as const;
  return op({
    product: 'ram', action, ramAction: `ram:${action}`,
    params: z.object({ PolicyType: t.str(16), PolicyName: NAME, UserName: NAME.optional(), GroupName: NAME.optional(), RoleName: NAME.optional(), ResourceGroupId: t.str(64).optional() }),
    resources: (p, account) => [ramArn(account, `${principalType.toLowerCase()}/${p[key] ?? ''}`), ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => {
      const name = p[key];
      if (name === undefined || name === '') throw apiError('MissingParameter', { name: key });
      await attachments.attachPolicy(ctx, { policyType: p.PolicyType, policyName: p.PolicyName, principalType, principalName: name, attach });
      return {};
    },
  });
}

export const ramOperations = [
  op({
    product: 'ram', action: 'CreateUser', ramAction: 'ram:CreateUser',
    params: z.object({ UserName: NAME, DisplayName: t.str(256).optional(), Comments: t.str(256).optional(), Email: t.str(256).optional(), MobilePhone: t.str(64).optional() }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ User: wireUser(await users.createUser(ctx, { userName: p.UserName, displayName: p.DisplayName, comments: p.Comments, email: p.Email, mobilePhone: p.MobilePhone })) }),
  }),
  op({
    product: 'ram', action: 'GetUser', ramAction: 'ram:GetUser',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ User: wireUser(await users.getUser(ctx, p.UserName)) }),
  }),
  op({
    product: 'ram', action: 'UpdateUser', ramAction: 'ram:UpdateUser',
    params: z.object({ UserName: NAME, NewUserName: NAME.optional(), NewDisplayName: t.str(256).optional(), NewComments: t.str(256).optional(), NewEmail: t.str(256).optional(), NewMobilePhone: t.str(64).optional() }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ User: wireUser(await users.updateUser(ctx, { userName: p.UserName, newUserName: p.NewUserName, newDisplayName: p.NewDisplayName, newComments: p.NewComments, newEmail: p.NewEmail, newMobilePhone: p.NewMobilePhone })) }),
  }),
  op({
    product: 'ram', action: 'DeleteUser', ramAction: 'ram:DeleteUser',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { await users.deleteUser(ctx, p.UserName); return {}; },
  }),
  op({
    product: 'ram', action: 'ListUsers', ramAction: 'ram:ListUsers',
    params: z.object({ Marker: t.str(64).optional(), MaxItems: t.int().optional() }),
    resources: (_p, account) => [ramArn(account, 'user/*')],
    handler: async (ctx, p) => { const r = paged(await users.listUsers(ctx), p.Marker, p.MaxItems); return { IsTruncated: r.IsTruncated, ...(r.Marker ? { Marker: r.Marker } : {}), Users: { User: r.items.map(wireUser) } }; },
  }),
  op({
    product: 'ram', action: 'CreateLoginProfile', ramAction: 'ram:CreateLoginProfile',
    params: z.object({ UserName: NAME, Password: t.str(128), PasswordResetRequired: t.bool().optional(), MFABindRequired: t.bool().optional() }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ LoginProfile: wireProfile(await loginProfiles.createLoginProfile(ctx, { userName: p.UserName, password: p.Password, passwordResetRequired: p.PasswordResetRequired, mfaBindRequired: p.MFABindRequired })) }),
  }),
  op({
    product: 'ram', action: 'GetLoginProfile', ramAction: 'ram:GetLoginProfile',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ LoginProfile: wireProfile(await loginProfiles.getLoginProfile(ctx, p.UserName)) }),
  }),
  op({
    product: 'ram', action: 'UpdateLoginProfile', ramAction: 'ram:UpdateLoginProfile',
    params: z.object({ UserName: NAME, Password: t.str(128).optional(), PasswordResetRequired: t.bool().optional(), MFABindRequired: t.bool().optional() }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { await loginProfiles.updateLoginProfile(ctx, { userName: p.UserName, password: p.Password, passwordResetRequired: p.PasswordResetRequired, mfaBindRequired: p.MFABindRequired }); return {}; },
  }),
  op({
    product: 'ram', action: 'DeleteLoginProfile', ramAction: 'ram:DeleteLoginProfile',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { await loginProfiles.deleteLoginProfile(ctx, p.UserName); return {}; },
  }),
  op({
    product: 'ram', action: 'ListEntitiesForPolicy', ramAction: 'ram:ListEntitiesForPolicy',
    params: z.object({ PolicyName: NAME, PolicyType: t.str(16) }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => {
      const e = await attachments.listEntitiesForPolicy(ctx, { policyName: p.PolicyName, policyType: p.PolicyType });
      return {
        Users: { User: e.users.map((u) => ({ UserId: u.userId, UserName: u.userName, DisplayName: u.displayName, AttachDate: u.attachDate })) },
        Groups: { Group: e.groups.map((g) => ({ GroupName: g.groupName, Comments: g.comments, AttachDate: g.attachDate })) },
        Roles: { Role: e.roles.map((r) => ({ RoleId: r.roleId, RoleName: r.roleName, Arn: r.arn, Description: r.description, AttachDate: r.attachDate })) },
      };
    },
  }),
  op({
    product: 'ram', action: 'CreateAccessKey', ramAction: 'ram:CreateAccessKey',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { const k = await accessKeys.createAccessKey(ctx, p.UserName); return { AccessKey: { AccessKeyId: k.accessKeyId, AccessKeySecret: k.accessKeySecret, Status: k.status, CreateDate: k.createDate } }; },
  }),
  op({
    product: 'ram', action: 'ListAccessKeys', ramAction: 'ram:ListAccessKeys',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ AccessKeys: { AccessKey: (await accessKeys.listAccessKeys(ctx, p.UserName)).map((k) => ({ AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createDate })) } }),
  }),
  op({
    product: 'ram', action: 'UpdateAccessKey', ramAction: 'ram:UpdateAccessKey',
    params: z.object({ UserName: NAME, UserAccessKeyId: t.str(128), Status: t.str(16) }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { await accessKeys.updateAccessKey(ctx, { userName: p.UserName, accessKeyId: p.UserAccessKeyId, status: p.Status }); return {}; },
  }),
  op({
    product: 'ram', action: 'DeleteAccessKey', ramAction: 'ram:DeleteAccessKey',
    params: z.object({ UserName: NAME, UserAccessKeyId: t.str(128) }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { await accessKeys.deleteAccessKey(ctx, { userName: p.UserName, accessKeyId: p.UserAccessKeyId }); return {}; },
  }),
  op({
    product: 'ram', action: 'CreateGroup', ramAction: 'ram:CreateGroup',
    params: z.object({ GroupName: NAME, Comments: t.str(256).optional() }),
    resources: (p, account) => [ramArn(account, `group/${p.GroupName}`)],
    handler: async (ctx, p) => ({ Group: wireGroup(await groups.createGroup(ctx, { groupName: p.GroupName, comments: p.Comments })) }),
  }),
  op({
    product: 'ram', action: 'GetGroup', ramAction: 'ram:GetGroup',
    params: z.object({ GroupName: NAME }),
    resources: (p, account) => [ramArn(account, `group/${p.GroupName}`)],
    handler: async (ctx, p) => ({ Group: wireGroup(await groups.getGroup(ctx, p.GroupName)) }),
  }),
  op({
    product: 'ram', action: 'ListGroups', ramAction: 'ram:ListGroups',
    params: z.object({ Marker: t.str(64).optional(), MaxItems: t.int().optional() }),
    resources: (_p, account) => [ramArn(account, 'group/*')],
    handler: async (ctx, p) => { const r = paged(await groups.listGroups(ctx), p.Marker, p.MaxItems); return { IsTruncated: r.IsTruncated, ...(r.Marker ? { Marker: r.Marker } : {}), Groups: { Group: r.items.map(wireGroup) } }; },
  }),
  op({
    product: 'ram', action: 'DeleteGroup', ramAction: 'ram:DeleteGroup',
    params: z.object({ GroupName: NAME }),
    resources: (p, account) => [ramArn(account, `group/${p.GroupName}`)],
    handler: async (ctx, p) => { await groups.deleteGroup(ctx, p.GroupName); return {}; },
  }),
  op({
    product: 'ram', action: 'AddUserToGroup', ramAction: 'ram:AddUserToGroup',
    params: z.object({ UserName: NAME, GroupName: NAME }),
    resources: (p, account) => [ramArn(account, `group/${p.GroupName}`), ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { await groups.addUserToGroup(ctx, { userName: p.UserName, groupName: p.GroupName }); return {}; },
  }),
  op({
    product: 'ram', action: 'RemoveUserFromGroup', ramAction: 'ram:RemoveUserFromGroup',
    params: z.object({ UserName: NAME, GroupName: NAME }),
    resources: (p, account) => [ramArn(account, `group/${p.GroupName}`), ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { await groups.removeUserFromGroup(ctx, { userName: p.UserName, groupName: p.GroupName }); return {}; },
  }),
  op({
    product: 'ram', action: 'ListGroupsForUser', ramAction: 'ram:ListGroupsForUser',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ Groups: { Group: (await groups.listGroupsForUser(ctx, p.UserName)).map((g) => ({ ...wireGroup(g), JoinDate: g.joinDate })) } }),
  }),
  op({
    product: 'ram', action: 'ListUsersForGroup', ramAction: 'ram:ListUsersForGroup',
    params: z.object({ GroupName: NAME, Marker: t.str(64).optional(), MaxItems: t.int().optional() }),
    resources: (p, account) => [ramArn(account, `group/${p.GroupName}`)],
    handler: async (ctx, p) => ({ IsTruncated: false, Users: { User: (await groups.listUsersForGroup(ctx, p.GroupName)).map((u) => ({ ...wireUser(u), JoinDate: u.joinDate })) } }),
  }),
  op({
    product: 'ram', action: 'CreatePolicy', ramAction: 'ram:CreatePolicy',
    params: z.object({ PolicyName: NAME, PolicyDocument: t.str(65536), Description: t.str(1024).optional(), Tag: t.tags().optional() }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => { const r = await policies.createPolicy(ctx, { policyName: p.PolicyName, policyDocument: p.PolicyDocument, description: p.Description }); return { Policy: wirePolicy(r) }; },
  }),
  op({
    product: 'ram', action: 'GetPolicy', ramAction: 'ram:GetPolicy',
    params: z.object({ PolicyName: NAME, PolicyType: t.str(16) }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => {
      const r = await policies.getPolicy(ctx, { policyName: p.PolicyName, policyType: p.PolicyType });
      return { Policy: { ...wirePolicy(r), PolicyDocument: r.policyDocument }, DefaultPolicyVersion: { VersionId: r.defaultVersion, IsDefaultVersion: true, PolicyDocument: r.policyDocument, CreateDate: r.updateDate } };
    },
  }),
  op({
    product: 'ram', action: 'ListPolicies', ramAction: 'ram:ListPolicies',
    params: z.object({ PolicyType: t.str(16).optional(), Marker: t.str(64).optional(), MaxItems: t.int().optional() }),
    resources: (_p, account) => [ramArn(account, 'policy/*')],
    handler: async (ctx, p) => { const r = paged(await policies.listPolicies(ctx, p.PolicyType), p.Marker, p.MaxItems); return { IsTruncated: r.IsTruncated, ...(r.Marker ? { Marker: r.Marker } : {}), Policies: { Policy: r.items.map(wirePolicy) } }; },
  }),
  op({
    product: 'ram', action: 'DeletePolicy', ramAction: 'ram:DeletePolicy',
    params: z.object({ PolicyName: NAME, CascadingDelete: t.bool().optional() }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => { await policies.deletePolicy(ctx, p.PolicyName); return {}; },
  }),
  op({
    product: 'ram', action: 'CreatePolicyVersion', ramAction: 'ram:CreatePolicyVersion',
    params: z.object({ PolicyName: NAME, PolicyDocument: t.str(65536), SetAsDefault: t.bool().optional(), RotateStrategy: t.str(32).optional() }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => {
      const v = await policyVersions.createPolicyVersion(ctx, { policyName: p.PolicyName, policyDocument: p.PolicyDocument, setAsDefault: p.SetAsDefault === true });
      return { PolicyVersion: wireVersion(v) };
    },
  }),
  op({
    product: 'ram', action: 'ListPolicyVersions', ramAction: 'ram:ListPolicyVersions',
    params: z.object({ PolicyName: NAME, PolicyType: t.str(16) }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => ({ PolicyVersions: { PolicyVersion: (await policyVersions.listPolicyVersions(ctx, { policyName: p.PolicyName, policyType: p.PolicyType })).map(wireVersion) } }),
  }),
  op({
    product: 'ram', action: 'GetPolicyVersion', ramAction: 'ram:GetPolicyVersion',
    params: z.object({ PolicyName: NAME, PolicyType: t.str(16), VersionId: t.str(16) }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => ({ PolicyVersion: wireVersion(await policyVersions.getPolicyVersion(ctx, { policyName: p.PolicyName, policyType: p.PolicyType, versionId: p.VersionId })) }),
  }),
  op({
    product: 'ram', action: 'SetDefaultPolicyVersion', ramAction: 'ram:SetDefaultPolicyVersion',
    params: z.object({ PolicyName: NAME, VersionId: t.str(16) }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => { await policyVersions.setDefaultPolicyVersion(ctx, { policyName: p.PolicyName, versionId: p.VersionId }); return {}; },
  }),
  op({
    product: 'ram', action: 'DeletePolicyVersion', ramAction: 'ram:DeletePolicyVersion',
    params: z.object({ PolicyName: NAME, VersionId: t.str(16) }),
    resources: (p, account) => [ramArn(account, `policy/${p.PolicyName}`)],
    handler: async (ctx, p) => { await policyVersions.deletePolicyVersion(ctx, { policyName: p.PolicyName, versionId: p.VersionId }); return {}; },
  }),
  attachOp('AttachPolicyToUser', 'User', true),
  attachOp('DetachPolicyFromUser', 'User', false),
  attachOp('AttachPolicyToGroup', 'Group', true),
  attachOp('DetachPolicyFromGroup', 'Group', false),
  attachOp('AttachPolicyToRole', 'Role', true),
  attachOp('DetachPolicyFromRole', 'Role', false),
  op({
    product: 'ram', action: 'ListPoliciesForRole', ramAction: 'ram:ListPoliciesForRole',
    params: z.object({ RoleName: NAME }),
    resources: (p, account) => [ramArn(account, `role/${p.RoleName}`)],
    handler: async (ctx, p) => ({ Policies: { Policy: (await attachments.listPoliciesFor(ctx, 'Role', p.RoleName)).map((x) => ({ ...wirePolicy(x), AttachDate: x.attachDate })) } }),
  }),
  op({
    product: 'ram', action: 'CreateRole', ramAction: 'ram:CreateRole',
    params: z.object({ RoleName: NAME, AssumeRolePolicyDocument: t.str(65536), Description: t.str(1024).optional(), MaxSessionDuration: t.int().optional(), Tag: t.tags().optional() }),
    resources: (p, account) => [ramArn(account, `role/${p.RoleName}`)],
    handler: async (ctx, p) => ({ Role: wireRole(await roles.createRole(ctx, { roleName: p.RoleName, assumeRolePolicyDocument: p.AssumeRolePolicyDocument, description: p.Description, maxSessionDuration: p.MaxSessionDuration })) }),
  }),
  op({
    product: 'ram', action: 'GetRole', ramAction: 'ram:GetRole',
    params: z.object({ RoleName: NAME }),
    resources: (p, account) => [ramArn(account, `role/${p.RoleName}`)],
    handler: async (ctx, p) => ({ Role: wireRole(await roles.getRole(ctx, p.RoleName)) }),
  }),
  op({
    product: 'ram', action: 'UpdateRole', ramAction: 'ram:UpdateRole',
    params: z.object({ RoleName: NAME, NewAssumeRolePolicyDocument: t.str(65536).optional(), NewDescription: t.str(1024).optional(), NewMaxSessionDuration: t.int().optional() }),
    resources: (p, account) => [ramArn(account, `role/${p.RoleName}`)],
    handler: async (ctx, p) => ({ Role: wireRole(await roles.updateRole(ctx, { roleName: p.RoleName, newAssumeRolePolicyDocument: p.NewAssumeRolePolicyDocument, newDescription: p.NewDescription, newMaxSessionDuration: p.NewMaxSessionDuration })) }),
  }),
  op({
    product: 'ram', action: 'DeleteRole', ramAction: 'ram:DeleteRole',
    params: z.object({ RoleName: NAME }),
    resources: (p, account) => [ramArn(account, `role/${p.RoleName}`)],
    handler: async (ctx, p) => { await roles.deleteRole(ctx, p.RoleName); return {}; },
  }),
  op({
    product: 'ram', action: 'ListRoles', ramAction: 'ram:ListRoles',
    params: z.object({ Marker: t.str(64).optional(), MaxItems: t.int().optional(), Tag: t.tags().optional() }),
    resources: (_p, account) => [ramArn(account, 'role/*')],
    handler: async (ctx, p) => { const r = paged(await roles.listRoles(ctx), p.Marker, p.MaxItems); return { IsTruncated: r.IsTruncated, ...(r.Marker ? { Marker: r.Marker } : {}), Roles: { Role: r.items.map(wireRole) } }; },
  }),
  op({
    product: 'ram', action: 'ListPoliciesForUser', ramAction: 'ram:ListPoliciesForUser',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ Policies: { Policy: (await attachments.listPoliciesFor(ctx, 'User', p.UserName)).map((x) => ({ ...wirePolicy(x), AttachDate: x.attachDate })) } }),
  }),
  op({
    product: 'ram', action: 'ListPoliciesForGroup', ramAction: 'ram:ListPoliciesForGroup',
    params: z.object({ GroupName: NAME }),
    resources: (p, account) => [ramArn(account, `group/${p.GroupName}`)],
    handler: async (ctx, p) => ({ Policies: { Policy: (await attachments.listPoliciesFor(ctx, 'Group', p.GroupName)).map((x) => ({ ...wirePolicy(x), AttachDate: x.attachDate })) } }),
  }),
  op({
    product: 'ram', action: 'GetPasswordPolicy', ramAction: 'ram:GetPasswordPolicy',
    params: z.object({}),
    resources: (_p, account) => [ramArn(account, '*')],
    handler: async (ctx) => ({ PasswordPolicy: wirePasswordPolicy(await passwordPolicy.getPasswordPolicy(ctx)) }),
  }),
  op({
    product: 'ram', action: 'SetPasswordPolicy', ramAction: 'ram:SetPasswordPolicy',
    params: z.object({
      MinimumPasswordLength: t.int().optional(), RequireLowercaseCharacters: t.bool().optional(), RequireUppercaseCharacters: t.bool().optional(),
      RequireNumbers: t.bool().optional(), RequireSymbols: t.bool().optional(), HardExpiry: t.bool().optional(), MaxPasswordAge: t.int().optional(),
      PasswordReusePrevention: t.int().optional(), MaxLoginAttemps: t.int().optional(),
    }),
    resources: (_p, account) => [ramArn(account, '*')],
    handler: async (ctx, p) => ({
      PasswordPolicy: wirePasswordPolicy(await passwordPolicy.setPasswordPolicy(ctx, {
        minimumPasswordLength: p.MinimumPasswordLength, requireLowercaseCharacters: p.RequireLowercaseCharacters, requireUppercaseCharacters: p.RequireUppercaseCharacters,
        requireNumbers: p.RequireNumbers, requireSymbols: p.RequireSymbols, hardExpiry: p.HardExpiry, maxPasswordAge: p.MaxPasswordAge,
        passwordReusePrevention: p.PasswordReusePrevention, maxLoginAttemps: p.MaxLoginAttemps,
      })),
    }),
  }),
  op({
    // the calling RAM user's own password: its own ARN, which it may change unless a policy denies it
    product: 'ram', action: 'ChangePassword', ramAction: 'ram:ChangePassword',
    params: z.object({ OldPassword: t.str(128), NewPassword: t.str(128) }),
    resources: (_p, account, caller) => [ramArn(account, `user/${caller?.userName ?? ''}`)],
    handler: async (ctx, p) => { await loginProfiles.changePassword(ctx, { oldPassword: p.OldPassword, newPassword: p.NewPassword }); return {}; },
  }),
  op({
    product: 'ram', action: 'SetAccountAlias', ramAction: 'ram:SetAccountAlias',
    params: z.object({ AccountAlias: t.str(64) }),
    resources: (_p, account) => [ramArn(account, '*')],
    handler: async (ctx, p) => { await accountAlias.setAccountAlias(ctx, p.AccountAlias); return {}; },
  }),
  op({
    product: 'ram', action: 'GetAccountAlias', ramAction: 'ram:GetAccountAlias',
    params: z.object({}),
    resources: (_p, account) => [ramArn(account, '*')],
    handler: async (ctx) => ({ AccountAlias: await accountAlias.getAccountAlias(ctx) }),
  }),
  op({
    product: 'ram', action: 'ClearAccountAlias', ramAction: 'ram:ClearAccountAlias',
    params: z.object({}),
    resources: (_p, account) => [ramArn(account, '*')],
    handler: async (ctx) => { await accountAlias.clearAccountAlias(ctx); return {}; },
  }),
  op({
    product: 'ram', action: 'CreateVirtualMFADevice', ramAction: 'ram:CreateVirtualMFADevice',
    params: z.object({ VirtualMFADeviceName: t.str(128) }),
    resources: (p, account) => [ramArn(account, `mfa/${p.VirtualMFADeviceName}`)],
    handler: async (ctx, p) => {
      const d = await mfa.createVirtualMFADevice(ctx, p.VirtualMFADeviceName);
      // the seed is shown here once; `OtpauthUri` (Parapet's) stands in for the QR code's PNG
      return { VirtualMFADevice: { SerialNumber: d.serialNumber, Base32StringSeed: d.base32StringSeed, OtpauthUri: d.otpauthUri } };
    },
  }),
  op({
    product: 'ram', action: 'BindMFADevice', ramAction: 'ram:BindMFADevice',
    params: z.object({ SerialNumber: t.str(256), UserName: NAME, AuthenticationCode1: t.str(16), AuthenticationCode2: t.str(16) }),
    resources: (p, account) => [p.SerialNumber, ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => {
      await mfa.bindMFADevice(ctx, { serialNumber: p.SerialNumber, userName: p.UserName, authenticationCode1: p.AuthenticationCode1, authenticationCode2: p.AuthenticationCode2 });
      return {};
    },
  }),
  op({
    product: 'ram', action: 'UnbindMFADevice', ramAction: 'ram:UnbindMFADevice',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => ({ MFADevice: { SerialNumber: await mfa.unbindMFADevice(ctx, p.UserName) } }),
  }),
  op({
    product: 'ram', action: 'DeleteVirtualMFADevice', ramAction: 'ram:DeleteVirtualMFADevice',
    params: z.object({ SerialNumber: t.str(256) }),
    resources: (p) => [p.SerialNumber],
    handler: async (ctx, p) => { await mfa.deleteVirtualMFADevice(ctx, p.SerialNumber); return {}; },
  }),
  op({
    product: 'ram', action: 'ListVirtualMFADevices', ramAction: 'ram:ListVirtualMFADevices',
    params: z.object({}),
    resources: (_p, account) => [ramArn(account, 'mfa/*')],
    handler: async (ctx) => ({ VirtualMFADevices: { VirtualMFADevice: (await mfa.listVirtualMFADevices(ctx)).map(wireMfaDevice) } }),
  }),
  op({
    product: 'ram', action: 'GetUserMFAInfo', ramAction: 'ram:GetUserMFAInfo',
    params: z.object({ UserName: NAME }),
    resources: (p, account) => [ramArn(account, `user/${p.UserName}`)],
    handler: async (ctx, p) => { const d = await mfa.getUserMFAInfo(ctx, p.UserName); return { MFADevice: { SerialNumber: d.serialNumber, Type: d.type } }; },
  }),
];
