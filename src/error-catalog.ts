// The errors Parapet answers: every Alibaba `Code` the server can send, whole-call or in a per-item
// result, with its HTTP status and message templates, defined once. The wire layer (WireError) and
// the domain (DomainError) build their errors from here by naming an entry, so a code that is not
// in this catalog is a type error.
//
// An entry has a status and a default message; codes that say different things in different
// places also have named `variants` (a variant may carry its own status where the real service,
// or HTTP itself, answers the same code with another one). A template is a string, or a function
// of one object of named values; it holds the text, the caller the values. The generic messages
// (InvalidParameter's default, IncompleteSignature, InvalidContent.Malformed) end with the reason
// the caller found, as Alibaba's do: that reason is a value.
//
// A leaf of src/ (imports nothing), so that every layer that raises errors may import it
// (eslint.config.js LAYERS).

type Template = string | ((values: never) => string);
type Variant = Template | { readonly status: number; readonly message: Template };
interface Entry {
  readonly status: number;
  readonly message: Template;
  readonly variants?: Readonly<Record<string, Variant>>;
}

// templates several codes share
const mandatory = (name: string) => `The input parameter \`${name}\` that is mandatory for processing this request is not supplied.`;
const notAuthorized = ({ action, resource }: { action: string; resource: string }) =>
  `User not authorized to operate on the specified resource: \`${action}\` on \`${resource}\`.`;
const policyAttached = ({ policyName, principalType, principalName }: { policyName: string; principalType: string; principalName: string }) =>
  `The policy \`${policyName}\` is already attached to ${principalType.toLowerCase()} \`${principalName}\`.`;
const policyNotAttached = ({ policyName, principalType, principalName }: { policyName: string; principalType: string; principalName: string }) =>
  `The policy \`${policyName}\` is not attached to ${principalType.toLowerCase()} \`${principalName}\`.`;
const policyStillAttached = ({ policyName, principalType }: { policyName: string; principalType: string }) =>
  `The policy \`${policyName}\` is still attached to a ${principalType.toLowerCase()}.`;
const ramNameChars = ({ param, value }: { param: string; value: string }) =>
  `The specified \`${param}\` \`${value}\` must be 1 to 64 letters, digits, \`.\`, \`_\`, \`-\` or \`@\`.`;
const resourceName = ({ param, value, min }: { param: string; value: string; min: number }) =>
  `The specified \`${param}\` \`${value}\` is invalid: ${min} to 128 characters, starting with a letter, not with \`http://\` or \`https://\`.`;
const portsOutOfRange = ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not valid: ports are 1 to 65535.`;
const portsReversed = ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not valid: the start port is greater than the end port.`;
const cidrMalformed = ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not a valid IPv4 address or CIDR block.`;
const ipv6Malformed = ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not a valid IPv6 address or CIDR block.`;
const ipv6InClassic = ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not supported: IPv6 is for VPC security groups only.`;
const peerOneOf = ({ cidr, cidr6, group, prefixList }: { cidr: string; cidr6: string; group: string; prefixList: string }) =>
  `One of \`${cidr}\`, \`${cidr6}\`, \`${group}\` or \`${prefixList}\` must be specified.`;
const groupNicType = ({ nicType, group }: { nicType: string; group: string }) =>
  `The specified \`${nicType}\` \`internet\` is not valid with \`${group}\`: group authorization covers the internal network only, so NicType must be \`intranet\`.`;
const selfAuthorized = ({ name, groupId }: { name: string; groupId: string }) =>
  `The specified \`${name}\` \`${groupId}\` is the security group itself; a group can't authorize itself.`;

export const ERROR_CATALOG = {
  // ---------------------------------------------------------------------------------------------
  // The protocol: decoding, parameters, signatures, freshness, the server itself

  MissingParameter: {
    status: 400,
    message: ({ name }: { name: string }) => mandatory(name),
    variants: {
      forTcpUdp: ({ name }: { name: string }) => `The input parameter \`${name}\` that is mandatory for tcp and udp is not supplied.`,
      destinationVpcId: 'The input parameter `DestinationVpcId` that is mandatory for `NetworkType` `vpc` is not supplied: a VPC group belongs to a VPC of the destination region.',
      instanceOrEni: 'Give `InstanceId` or `NetworkInterfaceId`.',
      rulesToRevoke: 'Give the rules to revoke as `Permissions.N` or `SecurityGroupRuleId.N`.',
      tagKeys: 'Give `TagKey.N`, or `All=true`.',
      resourcesOrTags: 'Give `ResourceId.N` or `Tag.N`.',
      together: ({ name, other }: { name: string; other: string }) => `The input parameter \`${name}\` must be given together with \`${other}\`.`,
      internetIpOrInstance: 'Give `InstanceId` or `InternetIp`.',
    },
  },
  InvalidParameter: {
    status: 400,
    message: ({ name, value, why = '' }: { name: string; value: string; why?: string }) =>
      `The specified parameter \`${name}\` value \`${value}\` is not valid.${why ? ' ' + why : ''}`,
    variants: {
      notAList: ({ name }: { name: string }) => `The parameter \`${name}\` must be given as a list (\`${name}.1\`, \`${name}.2\`, …).`,
      givenTwice: ({ name }: { name: string }) => `The parameter \`${name}\` is given more than once.`,
      valueAndList: ({ name }: { name: string }) => `The parameter \`${name}\` is given both as a value and as a list or object.`,
      urlEncoding: 'The request URL contains a malformed percent-encoding.',
      bodyEncoding: 'The request body contains a malformed percent-encoding.',
      portRange: ({ name, value }: { name: string; value: number }) => `The specified \`${name}\` \`${value}\` must be between 1 and 65535.`,
      instanceIds: 'Give 1 to 100 instance ids in `InstanceIds`.',
      storeRefused: 'A specified parameter value can not be stored: it holds a character or number out of range.',
      aboveMaximum: ({ name, value, maximum, unit, instanceType }: { name: string; value: number; maximum: number; unit: string; instanceType: string }) =>
        `The specified parameter \`${name}\` value \`${value}\` is above the maximum of instance type \`${instanceType}\`: ${maximum} ${unit}.`,
      // what Node or fastify refuse before any operation runs, answered with their HTTP status
      headersTooLarge: { status: 431, message: ({ limit }: { limit: number }) => `The request line and headers are larger than ${limit} bytes.` },
      bodyTooLarge: { status: 413, message: ({ limit }: { limit: number }) => `The request body is larger than ${limit} bytes.` },
      httpMalformed: 'The HTTP request is malformed.',
      // src/api/app.ts answers this one with fastify's own 4xx status (wire/errors.ts withStatus)
      requestMalformed: ({ why }: { why: string }) => `The request is malformed: ${why}`,
    },
  },
  MissingAccessKeyId: { status: 400, message: mandatory('AccessKeyId') },
  MissingSignature: { status: 400, message: mandatory('Signature') },
  MissingSignatureNonce: { status: 400, message: mandatory('SignatureNonce') },
  MissingVersion: { status: 400, message: mandatory('Version') },
  MissingAction: { status: 400, message: mandatory('Action') },
  MissingSecurityToken: { status: 400, message: 'The input parameter `SecurityToken` that is mandatory for temporary credentials is not supplied.' },
  UnsupportedHTTPMethod: { status: 400, message: ({ method }: { method: string }) => `The HTTP method \`${method}\` is not supported.` },
  InvalidVersion: { status: 400, message: ({ version }: { version: string }) => `Specified parameter Version \`${version}\` is not valid.` },
  'InvalidAction.NotFound': { status: 404, message: ({ action }: { action: string }) => `Specified api \`${action}\` is not found, please check your url and method.` },
  IncompleteSignature: { status: 400, message: ({ detail }: { detail: string }) => `The request signature does not conform to Aliyun standards. ${detail}` },
  InvalidSignatureMethod: { status: 400, message: ({ method }: { method: string }) => `Specified signature method \`${method}\` is not supported.` },
  InvalidSignatureVersion: { status: 400, message: ({ version }: { version: string }) => `Specified signature version \`${version}\` is not supported.` },
  SignatureDoesNotMatch: {
    status: 400,
    message: ({ stringToSign }: { stringToSign: string }) => `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    variants: { contentHash: 'The `x-acs-content-sha256` header does not match the request body.' },
  },
  SignatureNonceUsed: { status: 400, message: 'Specified signature nonce was used already.' },
  'InvalidTimeStamp.Expired': { status: 400, message: ({ timestamp }: { timestamp: string }) => `Specified time stamp or date value is expired: \`${timestamp}\`.` },
  'InvalidTimeStamp.Format': { status: 400, message: ({ timestamp }: { timestamp: string }) => `Specified time stamp or date value \`${timestamp}\` is not well formatted.` },
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  'InvalidAccessKeyId.Inactive': { status: 400, message: 'Specified access key is disabled.' },
  'InvalidSecurityToken.Malformed': {
    status: 400,
    message: 'Specified SecurityToken is malformed.',
    variants: { because: ({ why }: { why: string }) => `Specified SecurityToken is malformed. ${why}` },
  },
  'InvalidSecurityToken.Expired': {
    status: 400,
    message: 'Specified SecurityToken is expired.',
    variants: {
      earlierVersion: 'Specified SecurityToken is expired: it was issued by an earlier version; assume the role again.',
      roleGone: 'Specified SecurityToken is expired: the role of its session no longer exists.',
    },
  },
  'InvalidSecurityToken.MismatchWithAccessKey': { status: 400, message: 'Specified SecurityToken mismatches the AccessKeyId.' },
  DryRunOperation: { status: 400, message: 'Request validation has been passed with DryRun flag set.' },
  IdempotentParameterMismatch: { status: 400, message: ({ token }: { token: string }) => `The ClientToken \`${token}\` was used before with other parameters.` },
  InternalError: { status: 500, message: 'The request processing has failed due to some unknown error, exception or failure.' },
  ServiceUnavailable: { status: 503, message: 'The request has failed due to a temporary failure of the server.' },

  // ---------------------------------------------------------------------------------------------
  // Authorization and accounts

  'Forbidden.RAM': { status: 403, message: notAuthorized },
  NoPermission: {
    status: 403,
    message: notAuthorized,
    variants: {
      otherAccount: 'Assuming a role of another account is not supported yet.',
      notTrusted: ({ roleArn, caller }: { roleArn: string; caller: string }) =>
        `You are not authorized to assume role \`${roleArn}\`: its trust policy does not name \`${caller}\`.`,
    },
  },
  'InvalidUser.PassRoleForbidden': {
    status: 403,
    message: ({ roleName }: { roleName: string }) => `The caller may not pass role \`${roleName}\` to an instance: \`ram:PassRole\` is not allowed on it.`,
    variants: {
      actAs: ({ roleName, instanceId }: { roleName: string; instanceId: string }) =>
        `The caller may not act as role \`${roleName}\` of instance \`${instanceId}\`: \`ram:PassRole\` is not allowed on it.`,
    },
  },
  'InvalidAccountId.Malformed': { status: 400, message: ({ accountId }: { accountId: string }) => `The account id \`${accountId}\` must be 16 digits.` },
  'InvalidAccountId.NotFound': { status: 404, message: ({ accountId }: { accountId: string }) => `The account \`${accountId}\` does not exist.` },
  'InvalidAccessKeyId.Malformed': { status: 400, message: 'The AccessKey id must be 8 to 128 letters, digits or dots.' },
  'InvalidAccessKeySecret.Malformed': { status: 400, message: 'The AccessKey secret must be 8 to 128 printable characters.' },
  'InvalidAccessKeyId.Conflict': { status: 409, message: ({ accessKeyId }: { accessKeyId: string }) => `The AccessKey id \`${accessKeyId}\` belongs to another identity.` },

  // ---------------------------------------------------------------------------------------------
  // Regions, zones, paging, names shared by ECS and VPC

  'InvalidRegionId.NotFound': { status: 404, message: ({ regionId }: { regionId: string }) => `The specified RegionId \`${regionId}\` does not exist.` },
  'InvalidRegionId.Mismatch': {
    status: 400,
    message: ({ targetId, targetRegion, region }: { targetId: string; targetRegion: string; region: string }) =>
      `The target security group \`${targetId}\` is in region \`${targetRegion}\`, not in \`${region}\`: rules are restored within one region.`,
  },
  'InvalidZoneId.NotFound': { status: 404, message: ({ zoneId, regionId }: { zoneId: string; regionId: string }) => `The specified ZoneId \`${zoneId}\` is not a zone of region \`${regionId}\`.` },
  'InvalidNextToken.Malformed': { status: 400, message: ({ token }: { token: string | undefined }) => `The specified \`NextToken\` \`${token}\` is invalid.` },
  'InvalidDescription.Malformed': {
    status: 400,
    message: ({ min }: { min: number }) =>
      `The specified \`Description\` is invalid: ${min === 1 ? 'at most 256' : `${min} to 256`} characters, not starting with \`http://\` or \`https://\`.`,
  },
  'InvalidResourceType.NotFound': {
    status: 404,
    message: ({ resourceType }: { resourceType: string }) => `The specified ResourceType \`${resourceType}\` is not supported: use \`securitygroup\` or \`instance\`.`,
  },

  // ---------------------------------------------------------------------------------------------
  // Instances

  'InvalidInstanceId.NotFound': {
    status: 404,
    message: ({ id }: { id: string }) => `The specified InstanceId \`${id}\` does not exist.`,
    variants: {
      // the per-instance results of a batch (AttachKeyPair, AttachInstanceRamRole, ...)
      item: ({ id }: { id: string }) => `The instance \`${id}\` does not exist.`,
      // a tagged resource of type `instance`
      resource: ({ id, regionId }: { id: string; regionId: string }) => `The specified resource \`${id}\` does not exist in region \`${regionId}\`.`,
      // Anti-DDoS Basic: an asset is an instance with a public address
      noPublicIp: ({ id }: { id: string }) => `The instance \`${id}\` has no public IP address; Anti-DDoS Basic protects public addresses.`,
    },
  },
  IncorrectInstanceStatus: {
    status: 403,
    message: ({ id, status, from, action }: { id: string; status: string; from: string; action: string }) => `The instance \`${id}\` is ${status}; it must be ${from} to ${action}.`,
    variants: {
      runningOrStopped: ({ id, status }: { id: string; status: string }) => `The instance \`${id}\` is ${status}; it must be Running or Stopped.`,
      stopFirst: ({ id, status }: { id: string; status: string }) => `The instance \`${id}\` is ${status}; stop it first, or delete with Force.`,
      notRunning: ({ id, status }: { id: string; status: string }) => `The instance \`${id}\` is ${status}; its metadata is served while it runs.`,
    },
  },
  'InvalidImageId.NotFound': { status: 404, message: ({ imageId }: { imageId: string }) => `The specified ImageId \`${imageId}\` does not exist.` },
  'InvalidInstanceType.ValueNotSupported': { status: 400, message: ({ instanceType }: { instanceType: string }) => `The specified InstanceType \`${instanceType}\` is not supported.` },
  'InvalidInstanceName.Malformed': { status: 400, message: ({ name }: { name: string | undefined }) => `The specified \`InstanceName\` \`${name}\` is invalid.` },
  'InvalidHostName.Malformed': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`HostName\` \`${value}\` is invalid: a host name has 2 to 64 letters, digits, \`.\` or \`-\`.`,
    variants: {
      windows: ({ value }: { value: string }) => `The specified \`HostName\` \`${value}\` is invalid: a Windows host name has 2 to 15 letters, digits or \`-\`, and not digits only.`,
      punctuation: ({ value }: { value: string }) => `The specified \`HostName\` \`${value}\` is invalid: it may not start or end with \`.\` or \`-\`, nor hold two of them in a row.`,
    },
  },
  // an instance's password (RunInstances, CreateInstance, ModifyInstanceAttribute): the message never holds the value
  'InvalidPassword.Malformed': {
    status: 400,
    message: 'The specified parameter `Password` is not valid: 8 to 30 characters with at least three of upper-case letters, lower-case letters, digits and the special characters ()`~!@#$%^&*-_+=|{}[]:;\'<>,.?/.',
    variants: {
      windowsSlash: 'The specified parameter `Password` is not valid: the password of a Windows instance may not start with `/`.',
    },
  },
  'InvalidParameter.Mismatch': {
    status: 400,
    message: ({ vSwitchId, vSwitchZone, zoneId }: { vSwitchId: string; vSwitchZone: string; zoneId: string | undefined }) =>
      `The vSwitch \`${vSwitchId}\` is in zone \`${vSwitchZone}\`, not \`${zoneId}\`.`,
  },
  'InvalidInternetMaxBandwidthOut.ValueNotSupported': {
    status: 403,
    message: ({ id }: { id: string }) => `The instance \`${id}\` has no public bandwidth (InternetMaxBandwidthOut is 0); a public address needs some.`,
  },
  'InvalidNetworkType.MismatchRamRole': { status: 403, message: 'A classic-network instance can\'t have a RAM role.' },
  'InvalidRamRole.NotFound': { status: 404, message: ({ roleName }: { roleName: string }) => `The specified RAM role \`${roleName}\` does not exist.` },
  'InvalidRamRole.NotEcsRole': { status: 404, message: ({ roleName }: { roleName: string }) => `The RAM role \`${roleName}\` does not trust the ECS service (\`ecs.aliyuncs.com\`).` },
  // only in AttachInstanceRamRole's and DetachInstanceRamRole's per-instance results; the status is
  // what the call would answer were it refused whole
  'InvalidRamRole.AlreadyAttached': { status: 403, message: ({ roleName }: { roleName: string }) => `The instance already has role \`${roleName}\`; detach it first.` },
  'InvalidRamRole.NotEqual': { status: 403, message: 'The instance does not have that RAM role.' },
  'InvalidHttpEndpoint.NotSupported': { status: 400, message: 'Use `enabled` or `disabled` for `HttpEndpoint`.' },
  'InvalidHttpTokens.NotSupported': { status: 400, message: 'Use `optional` or `required` for `HttpTokens`.' },

  // ---------------------------------------------------------------------------------------------
  // Network interfaces and addresses

  'InvalidEniId.NotFound': { status: 404, message: ({ id }: { id: string }) => `The specified NetworkInterfaceId \`${id}\` does not exist.` },
  InstanceLastSecurityGroup: {
    status: 403,
    message: 'An instance or network interface must stay in at least one security group.',
    variants: { leaving: ({ who }: { who: string }) => `\`${who}\` must stay in at least one security group.` },
  },
  InstanceSecurityGroupLimitExceeded: {
    status: 403,
    message: ({ limit, given }: { limit: number; given: number }) => `A network interface may be in at most ${limit} security groups; ${given} were given.`,
  },
  InstanceNotInSecurityGroup: { status: 403, message: ({ who, groupId }: { who: string; groupId: string }) => `\`${who}\` is not in security group \`${groupId}\`.` },
  'InvalidInstanceId.AlreadyExists': { status: 403, message: ({ who, groupId }: { who: string; groupId: string }) => `\`${who}\` is already in security group \`${groupId}\`.` },
  'InvalidSecurityGroupId.NotInSameNetwork': {
    status: 403,
    message: ({ groupId, vpcId }: { groupId: string; vpcId: string }) => `The security group \`${groupId}\` is not in VPC \`${vpcId}\`.`,
    variants: {
      classic: ({ groupId, vpcId }: { groupId: string; vpcId: string }) =>
        `The security group \`${groupId}\` belongs to VPC \`${vpcId}\`; a classic-network instance joins classic groups only.`,
    },
  },
  'InvalidSecurityGroup.TypeMismatch': { status: 403, message: 'A network interface can\'t be in a basic and an advanced security group at the same time.' },
  SecurityGroupInstanceLimitExceeded: {
    status: 403,
    message: ({ groupId, members }: { groupId: string; members: number }) => `The security group \`${groupId}\` already holds ${members} private IP addresses, its limit.`,
  },
  'InvalidSecurityGroup.RuleLimitExceeded': {
    status: 403,
    message: ({ total, limit }: { total: number; limit: number }) => `The security groups would put ${total} rules on one network interface; at most ${limit} are allowed.`,
  },
  'InvalidOperation.InvalidEniState': {
    status: 403,
    message: ({ eniId, instanceId }: { eniId: string; instanceId: string }) => `The network interface \`${eniId}\` is already attached to \`${instanceId}\`.`,
    variants: {
      notAttached: ({ eniId, instanceId }: { eniId: string; instanceId: string }) => `The network interface \`${eniId}\` is not attached to \`${instanceId}\`.`,
      detachFirst: ({ eniId, instanceId }: { eniId: string; instanceId: string }) => `The network interface \`${eniId}\` is attached to \`${instanceId}\`; detach it first.`,
    },
  },
  'InvalidOperation.InvalidEcsState': {
    status: 403,
    message: ({ eniId, instanceId }: { eniId: string; instanceId: string }) => `The network interface \`${eniId}\` and instance \`${instanceId}\` must be in the same VPC and zone.`,
  },
  EniPerInstanceLimitExceeded: {
    status: 403,
    message: ({ instanceType, max }: { instanceType: string; max: number }) => `The instance type \`${instanceType}\` takes at most ${max} network interfaces.`,
  },
  'Operation.Conflict': { status: 403, message: 'The primary network interface of an instance can\'t be detached.' },
  'InvalidPrivateIpAddress.Malformed': {
    status: 400,
    message: ({ address, cidr }: { address: string; cidr: string }) => `The specified \`PrivateIpAddress\` \`${address}\` is not a usable address of \`${cidr}\`.`,
  },
  'InvalidPrivateIpAddress.Duplicated': { status: 400, message: ({ address }: { address: string }) => `The specified \`PrivateIpAddress\` \`${address}\` is already in use.` },
  'InvalidVSwitchId.IpNotEnough': { status: 403, message: ({ cidr }: { cidr: string }) => `No free private IP address is left in \`${cidr}\`.` },
  'InvalidIpAddress.Malformed': {
    status: 400,
    message: ({ address, pool }: { address: string; pool: string }) => `The specified \`IpAddress\` \`${address}\` is not an address of the public pool \`${pool}\`.`,
  },
  'InvalidIpAddress.AlreadyUsed': { status: 400, message: ({ address }: { address: string }) => `The specified \`IpAddress\` \`${address}\` is already in use.` },
  'QuotaExceed.PublicIpAddress': { status: 403, message: ({ pool }: { pool: string }) => `The public address pool \`${pool}\` is exhausted.` },

  // ---------------------------------------------------------------------------------------------
  // Security groups

  'InvalidSecurityGroupId.NotFound': {
    status: 404,
    message: ({ id }: { id: string }) => `The specified SecurityGroupId \`${id}\` does not exist.`,
    variants: {
      // a tagged resource of type `securitygroup`
      resource: ({ id, regionId }: { id: string; regionId: string }) => `The specified resource \`${id}\` does not exist in region \`${regionId}\`.`,
      // Anti-DDoS Basic: an asset is an instance with a public address
      noPublicIp: ({ id }: { id: string }) => `The instance \`${id}\` has no public IP address; Anti-DDoS Basic protects public addresses.`,
    },
  },
  'InvalidSecurityGroupId.Malformed': { status: 400, message: ({ param, id }: { param: string; id: string }) => `The specified ${param} \`${id}\` is malformed.` },
  'InvalidSecurityGroupType.Malformed': {
    status: 400,
    message: ({ type }: { type: string }) => `The specified \`SecurityGroupType\` \`${type}\` is invalid: use \`normal\` or \`enterprise\`.`,
  },
  'InvalidSecurityGroupName.Malformed': { status: 400, message: resourceName },
  'InvalidNetworkType.Conflict': {
    status: 403,
    message: 'An advanced (enterprise) security group belongs to a VPC: `VpcId` is required.',
    variants: {
      clone: ({ groupId }: { groupId: string }) =>
        `The security group \`${groupId}\` is an advanced (enterprise) group, which belongs to a VPC: it can't be cloned to the classic network.`,
    },
  },
  'QuotaExceed.SecurityGroup': {
    status: 403,
    message: ({ regionId, quota }: { regionId: string; quota: number }) => `The number of security groups in region \`${regionId}\` has reached the quota of ${quota}.`,
  },
  'InvalidInnerAccessPolicy.Malformed': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`InnerAccessPolicy\` \`${value}\` is invalid: use \`Accept\` or \`Drop\`.`,
  },
  DependencyViolation: {
    status: 403,
    message: ({ groupId, member }: { groupId: string; member: string }) => `There are still instance(s) in the specified security group \`${groupId}\` (${member}).`,
    variants: {
      referenced: ({ groupId, referrers }: { groupId: string; referrers: string }) => `The security group \`${groupId}\` has been authorized in another one: ${referrers}.`,
    },
  },
  'InvalidGroupAuthItem.NotFound': {
    status: 403,
    message: ({ groupId }: { groupId: string }) => `The rule given does not exist in security group \`${groupId}\`.`,
    variants: {
      given: ({ param, groupId }: { param: string; groupId: string }) => `The rule given in \`${param || 'the request'}\` does not exist in security group \`${groupId}\`.`,
    },
  },
  'InvalidSecurityGroupRuleId.NotFound': {
    status: 404,
    message: ({ ruleId, groupId }: { ruleId: string; groupId: string }) => `The specified \`SecurityGroupRuleId\` \`${ruleId}\` does not exist in security group \`${groupId}\`.`,
    variants: {
      listed: ({ index, ruleId, groupId, direction }: { index: number; ruleId: string; groupId: string; direction: string }) =>
        `The specified \`SecurityGroupRuleId.${index}\` \`${ruleId}\` does not exist in security group \`${groupId}\` (${direction}).`,
    },
  },
  'InvalidDirection.Malformed': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`Direction\` \`${value}\` is invalid: use \`ingress\` or \`egress\`.`,
    variants: {
      orAll: ({ value }: { value: string }) => `The specified \`Direction\` \`${value}\` is invalid: use \`ingress\`, \`egress\` or \`all\`.`,
      absent: 'The rule has no `Direction`: give `ingress` or `egress`.',
    },
  },
  'InvalidPeerIpAddress.Malformed': { status: 400, message: ({ value }: { value: string }) => `The specified \`PeerIpAddress\` \`${value}\` is not an IPv4 or IPv6 address.` },
  'InvalidPeerIpAddress.NoIpv6': {
    status: 400,
    message: ({ value, eni }: { value: string; eni: string }) => `The specified \`PeerIpAddress\` \`${value}\` is an IPv6 address, and the network interface \`${eni}\` has no IPv6 address: assign one (AssignIpv6Addresses) to ask about IPv6 flows.`,
  },
  'InvalidIpProtocol.FamilyMismatch': {
    status: 400,
    message: ({ value, family }: { value: string; family: string }) => `The specified \`IpProtocol\` \`${value}\` does not exist in ${family}: use icmp with an IPv4 \`PeerIpAddress\` and icmpv6 with an IPv6 one.`,
  },

  // ---------------------------------------------------------------------------------------------
  // Security group rules (ALIBABA-FACTS §4.2 and the API reference pages)

  'InvalidIpProtocol.ValueNotSupported': {
    status: 400,
    message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not supported: use TCP, UDP, ICMP, ICMPv6, GRE or ALL (case-insensitive).`,
    variants: {
      flow: ({ value }: { value: string }) => `The specified \`IpProtocol\` \`${value}\` is invalid: use tcp, udp, icmp, icmpv6 or gre.`,
    },
  },
  'InvalidIpPortRange.Malformed': {
    status: 400,
    message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not valid: use \`start/end\` (e.g. \`22/22\`), or \`-1/-1\`.`,
    variants: {
      required: ({ name, protocol }: { name: string; protocol: string }) => `The parameter \`${name}\` is required for protocol \`${protocol}\`: give \`start/end\` with ports 1 to 65535.`,
      outOfRange: portsOutOfRange,
      reversed: portsReversed,
    },
  },
  'InvalidSourcePortRange.Malformed': {
    status: 400,
    message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not valid: use \`start/end\` (e.g. \`1024/65535\`), or \`-1/-1\`.`,
    variants: {
      portless: ({ name, value, protocolName, protocol }: { name: string; value: string; protocolName: string; protocol: string }) =>
        `The specified \`${name}\` \`${value}\` is not valid for \`${protocolName}\` \`${protocol}\`: use \`-1/-1\`.`,
      ported: ({ name, value, protocolName, protocol }: { name: string; value: string; protocolName: string; protocol: string }) =>
        `The specified \`${name}\` \`${value}\` is not valid for \`${protocolName}\` \`${protocol}\`: TCP and UDP take ports 1 to 65535.`,
      outOfRange: portsOutOfRange,
      reversed: portsReversed,
    },
  },
  // the documented code for a combination of valid values a rule or group can't take
  OperationDenied: {
    status: 400,
    message: ({ name, value, protocolName, protocol }: { name: string; value: string; protocolName: string; protocol: string }) =>
      `The specified \`${name}\` \`${value}\` does not match \`${protocolName}\` \`${protocol}\`: ICMP, ICMPv6, GRE and ALL take \`-1/-1\` only.`,
    variants: {
      portedProtocol: ({ name, value, protocolName, protocol }: { name: string; value: string; protocolName: string; protocol: string }) =>
        `The specified \`${name}\` \`${value}\` does not match \`${protocolName}\` \`${protocol}\`: TCP and UDP take ports 1 to 65535.`,
      advancedGroup: ({ name, value }: { name: string; value: string }) =>
        `The specified \`${name}\` \`${value}\` is not allowed: advanced (enterprise) security groups take accept rules at priority 1 that authorize CIDR blocks or prefix lists only.`,
      innerAccessPolicy: 'An advanced (enterprise) security group has no intra-group policy: its members are isolated unless rules allow.',
    },
  },
  // only in the rules RestoreSecurityGroupRules skips; the status is OperationDenied's
  'OperationDenied.SystemRule': {
    status: 400,
    message: ({ priority }: { priority: number }) => `The rule has priority ${priority} (a system-level rule): restore never copies it.`,
  },
  'InvalidPolicy.Malformed': { status: 400, message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not valid: use \`accept\` or \`drop\`.` },
  'InvalidPriority.Malformed': { status: 400, message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not an integer.` },
  'InvalidPriority.ValueNotSupported': {
    status: 400,
    message: ({ name, value, max }: { name: string; value: string; max: number }) => `The specified \`${name}\` \`${value}\` is not supported: use 1 to ${max}.`,
  },
  'InvalidNicType.ValueNotSupported': {
    status: 400,
    message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not supported: use \`intranet\` or \`internet\`.`,
    variants: {
      describe: ({ value }: { value: string | undefined }) => `The specified \`NicType\` \`${value}\` is invalid: use \`intranet\` or \`internet\`.`,
      flow: ({ value }: { value: string }) => `The specified \`NicType\` \`${value}\` is invalid.`,
    },
  },
  'InvalidNicType.Mismatch': {
    status: 400,
    message: ({ name }: { name: string }) => `The specified \`${name}\` \`internet\` is not valid for a VPC security group: VPC groups take \`intranet\` only.`,
    variants: { flow: 'A VPC network interface has no internet NIC type.' },
  },
  // sic: the documented code is spelled `Discription`
  'InvalidSecurityGroupDiscription.Malformed': { status: 400, message: ({ name, max }: { name: string; max: number }) => `The specified \`${name}\` must be at most ${max} characters.` },
  'InvalidSourceCidrIp.Malformed': {
    status: 400,
    message: cidrMalformed,
    variants: {
      classicIntranet: ({ name, value }: { name: string; value: string }) =>
        `The specified \`${name}\` \`${value}\` is not valid: in a classic-network security group an intranet ingress rule authorized by CIDR must name a single IPv4 address (\`a.b.c.d/32\`).`,
    },
  },
  'InvalidDestCidrIp.Malformed': { status: 400, message: cidrMalformed },
  'InvalidParam.Ipv6SourceCidrIp': { status: 400, message: ipv6Malformed, variants: { classic: ipv6InClassic } },
  'InvalidParam.Ipv6DestCidrIp': { status: 400, message: ipv6Malformed, variants: { classic: ipv6InClassic } },
  'InvalidParam.Ipv4ProtocolConflictWithIpv6Address': {
    status: 400,
    message: ({ name, cidr, protocolName }: { name: string; cidr: string; protocolName: string }) =>
      `The specified \`${name}\` \`${cidr}\` is an IPv6 block but \`${protocolName}\` \`icmp\` is IPv4 only; use \`icmpv6\`.`,
  },
  'InvalidParam.Ipv6ProtocolConflictWithIpv4Address': {
    status: 400,
    message: ({ name, cidr, protocolName }: { name: string; cidr: string; protocolName: string }) =>
      `The specified \`${name}\` \`${cidr}\` is an IPv4 block but \`${protocolName}\` \`icmpv6\` is IPv6 only; use \`icmp\`.`,
  },
  'NotSupported.ClassicNetworkPrefixList': {
    status: 400,
    message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not supported: prefix lists are for VPC security groups only.`,
  },
  'MissingParameter.Source': { status: 400, message: peerOneOf },
  'MissingParameter.Dest': { status: 400, message: peerOneOf },
  'InvalidSourceGroupId.Mismatch': {
    status: 403,
    message: groupNicType,
    variants: {
      otherVpc: ({ name, groupId, vpcId, targetVpcId }: { name: string; groupId: string; vpcId: string; targetVpcId: string }) =>
        `The specified \`${name}\` \`${groupId}\` is in VPC \`${vpcId}\`, not in \`${targetVpcId}\`.`,
    },
  },
  'InvalidDestGroupId.Mismatch': { status: 403, message: groupNicType },
  // sic: the documented code is spelled `Paramter`. 403 when an ingress rule authorizes its own
  // group (the egress form is InvalidSecurityGroup.IsSame); documented as 400 for equal source and
  // destination blocks
  'InvalidParamter.Conflict': {
    status: 403,
    message: selfAuthorized,
    variants: {
      sameCidr: {
        status: 400,
        message: ({ name, value, peerName }: { name: string; value: string; peerName: string }) => `The specified \`${name}\` \`${value}\` should be different from \`${peerName}\`.`,
      },
    },
  },
  'InvalidSecurityGroup.IsSame': { status: 403, message: selfAuthorized },
  'InvalidPrefixListId.NotFound': { status: 404, message: ({ id }: { id: string }) => `The specified prefix list \`${id}\` does not exist.` },
  'NotAllowed.AssociationExist': {
    status: 400,
    message: ({ id, groups }: { id: string; groups: string }) => `The specified prefix list \`${id}\` has associated resources: security groups \`${groups}\` have rules that authorize it.`,
  },
  'InvalidSourceGroupId.NotFound': {
    status: 404,
    message: ({ name, groupId, regionId, accountId }: { name: string; groupId: string; regionId: string; accountId: string }) =>
      `The specified \`${name}\` \`${groupId}\` does not exist in region \`${regionId}\` of account \`${accountId}\`.`,
  },
  'InvalidNetworkType.Mismatch': {
    status: 403,
    message: ({ name, groupId, networkType, targetId, targetNetworkType }: { name: string; groupId: string; networkType: string; targetId: string; targetNetworkType: string }) =>
      `The specified \`${name}\` \`${groupId}\` is a ${networkType} group; \`${targetId}\` is a ${targetNetworkType} group.`,
    variants: {
      restore: ({ targetId, targetNetworkType, groupId, networkType }: { targetId: string; targetNetworkType: string; groupId: string; networkType: string }) =>
        `The target security group \`${targetId}\` is a ${targetNetworkType} group; \`${groupId}\` is a ${networkType} group: rules are restored within one network type.`,
    },
  },
  AuthorizationLimitExceed: {
    status: 403,
    message: ({ groupId, rules, limit }: { groupId: string; rules: number; limit: number }) =>
      `The security group \`${groupId}\` would have ${rules} rules; at most ${limit} are allowed (ingress and egress together; a rule that authorizes a prefix list counts as its MaxEntries rules).`,
    variants: {
      eni: ({ eniId, rules, limit }: { eniId: string; rules: number; limit: number }) =>
        `The network interface \`${eniId}\` would have ${rules} rules acting on it; at most ${limit} are allowed (a rule that authorizes a prefix list counts as its MaxEntries rules).`,
    },
  },
  'InvalidParameter.Duplicate': {
    status: 400,
    message: 'The modified rule would equal another rule of the group.',
    variants: {
      // ImportSecurityGroupRules' and CloneSecurityGroup's per-rule results
      exists: ({ groupId, ruleId }: { groupId: string; ruleId: string }) => `The rule already exists in security group \`${groupId}\` as \`${ruleId}\`; an import never overwrites a rule.`,
      inContent: ({ index }: { index: number }) => `The rule equals rule ${index} of the content.`,
      translated: 'The rule equals an earlier rule of the group once translated to the destination network type.',
    },
  },

  // ---------------------------------------------------------------------------------------------
  // Parapet's rule export, import, clone and restore

  'InvalidContent.Malformed': {
    status: 400,
    message: ({ why }: { why: string }) => `The specified \`Content\` is not a security group rule export: ${why}`,
    variants: {
      notObject: 'The rule is not a JSON object.',
      notString: ({ field }: { field: string }) => `The field \`${field}\` of the rule is not a string.`,
    },
  },
  // only in ImportSecurityGroupRules' per-rule results; the status is the other quotas'
  'QuotaExceed.ImportRules': { status: 403, message: ({ limit }: { limit: number }) => `At most ${limit} rules are imported at once; this one is not.` },

  // ---------------------------------------------------------------------------------------------
  // Tags

  InvalidTagCount: {
    status: 400,
    message: ({ max, param }: { max: number; param: string }) => `At most ${max} tags may be given in \`${param}\`.`,
    variants: {
      resource: ({ id, count, max }: { id: string; count: number; max: number }) => `The resource \`${id}\` would have ${count} tags; at most ${max} are allowed.`,
    },
  },
  'InvalidTagKey.Malformed': {
    status: 400,
    message: ({ name, key }: { name: string; key: string }) => `The specified \`${name}\` \`${key}\` must be 1 to 128 characters.`,
    variants: {
      reserved: ({ name, key }: { name: string; key: string }) => `The specified \`${name}\` \`${key}\` may not start with \`aliyun\`, \`acs:\`, \`http://\` or \`https://\`.`,
    },
  },
  'InvalidTagValue.Malformed': { status: 400, message: ({ name }: { name: string }) => `The specified \`${name}\` must be at most 128 characters.` },
  'InvalidTagKey.Duplicate': { status: 400, message: ({ key }: { key: string }) => `The tag key \`${key}\` is given more than once.` },

  // ---------------------------------------------------------------------------------------------
  // Key pairs

  'InvalidKeyPairName.Malformed': {
    status: 400,
    message: ({ name }: { name: string }) => `The specified \`KeyPairName\` \`${name}\` is invalid: 2 to 128 characters, starting with a letter; letters, digits, \`.\`, \`_\`, \`-\` and \`:\`.`,
  },
  'InvalidKeyPairName.NotFound': {
    status: 404,
    message: ({ name }: { name: string }) => `The key pair \`${name}\` does not exist.`,
    variants: {
      // DetachKeyPair's per-instance results
      notBound: ({ name }: { name: string }) => `The instance is not bound to \`${name}\`.`,
    },
  },
  'InvalidPublicKeyBody.Malformed': { status: 400, message: 'The specified `PublicKeyBody` is not a supported OpenSSH public key or certificate.' },
  'KeyPair.AlreadyExist': { status: 400, message: ({ name }: { name: string }) => `The key pair \`${name}\` already exists.` },
  'QuotaExceed.KeyPair': { status: 403, message: ({ quota }: { quota: number }) => `The region already has ${quota} key pairs, the quota.` },
  'DependencyViolation.WindowsInstance': { status: 403, message: 'Key pairs can\'t be bound to Windows instances.' },
  'DependencyViolation.IoOptimize': { status: 403, message: ({ instanceType }: { instanceType: string }) => `The phased-out instance type \`${instanceType}\` can't take a key pair.` },

  // ---------------------------------------------------------------------------------------------
  // VPCs and vSwitches

  'InvalidVpcId.NotFound': { status: 404, message: ({ vpcId }: { vpcId: string }) => `The specified VpcId \`${vpcId}\` is not found.` },
  'InvalidVSwitchId.NotFound': {
    status: 404,
    message: ({ vSwitchId }: { vSwitchId: string }) => `The specified VSwitchId \`${vSwitchId}\` does not exist.`,
    variants: { vpc: ({ vSwitchId }: { vSwitchId: string }) => `The specified VSwitchId \`${vSwitchId}\` is not found.` },
  },
  'InvalidVpcName.Malformed': { status: 400, message: resourceName },
  'InvalidVSwitchName.Malformed': { status: 400, message: resourceName },
  'InvalidCidrBlock.Malformed': {
    status: 400,
    message: ({ cidr }: { cidr: string }) =>
      `The specified \`CidrBlock\` \`${cidr}\` is invalid: use 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or a subnet of them with a mask of 8 to 28 bits.`,
    variants: {
      excludesVSwitch: ({ cidr, vSwitchCidr, vSwitchId }: { cidr: string | undefined; vSwitchCidr: string; vSwitchId: string }) =>
        `The specified \`CidrBlock\` \`${cidr}\` does not contain the CIDR block \`${vSwitchCidr}\` of vSwitch \`${vSwitchId}\`.`,
      vSwitch: ({ cidr }: { cidr: string }) => `The specified \`CidrBlock\` \`${cidr}\` is invalid: a network address with a mask of 16 to 29 bits.`,
      outsideVpc: ({ cidr, vpcCidr }: { cidr: string; vpcCidr: string }) => `The specified \`CidrBlock\` \`${cidr}\` is not inside the VPC CIDR block \`${vpcCidr}\`.`,
    },
  },
  'InvalidCidrBlock.Overlapped': {
    status: 400,
    message: ({ cidr, vSwitchCidr, vSwitchId }: { cidr: string; vSwitchCidr: string; vSwitchId: string }) =>
      `The specified \`CidrBlock\` \`${cidr}\` overlaps the CIDR block \`${vSwitchCidr}\` of vSwitch \`${vSwitchId}\`.`,
  },
  'QuotaExceeded.Vpc': {
    status: 400,
    message: ({ regionId, quota }: { regionId: string; quota: number }) => `The number of VPCs in region \`${regionId}\` has reached the quota of ${quota}.`,
  },
  'QuotaExceeded.VSwitch': { status: 400, message: ({ vpcId, count }: { vpcId: string; count: number }) => `The VPC \`${vpcId}\` already has ${count} vSwitches, the quota.` },
  'DependencyViolation.VSwitch': {
    status: 400,
    message: ({ vpcId, vSwitchId }: { vpcId: string; vSwitchId: string }) => `The VPC \`${vpcId}\` still has vSwitch \`${vSwitchId}\`; delete its vSwitches first.`,
  },
  'DependencyViolation.SecurityGroup': {
    status: 400,
    message: ({ vpcId, groupId }: { vpcId: string; groupId: string }) => `The VPC \`${vpcId}\` still has security group \`${groupId}\`; delete its security groups first.`,
  },
  'DependencyViolation.CenInstance': {
    status: 400,
    message: ({ vpcId, cenId }: { vpcId: string; cenId: string }) => `The VPC \`${vpcId}\` is attached to the CEN instance \`${cenId}\`; detach it first.`,
  },
  'DependencyViolation.Instance': {
    status: 400,
    message: ({ vSwitchId, instanceId }: { vSwitchId: string; instanceId: string }) => `The vSwitch \`${vSwitchId}\` is still used by instance \`${instanceId}\`.`,
    variants: { eni: ({ vSwitchId, eniId }: { vSwitchId: string; eniId: string }) => `The vSwitch \`${vSwitchId}\` is still used by network interface \`${eniId}\`.` },
  },

  // ---------------------------------------------------------------------------------------------
  // IPv6 (dual stack): VPC and vSwitch blocks, ENI addresses, IPv6 gateways and internet bandwidth

  'InvalidIpv6CidrBlock.Malformed': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`Ipv6CidrBlock\` \`${value}\` is invalid: the index of the vSwitch's /64 in its VPC's /56 is an integer from 0 to 255.`,
  },
  'InvalidIpv6CidrBlock.Overlapped': {
    status: 400,
    message: ({ value, vSwitchId }: { value: string; vSwitchId: string }) => `The specified \`Ipv6CidrBlock\` \`${value}\` is already the IPv6 block of vSwitch \`${vSwitchId}\`.`,
  },
  'IncorrectVpcStatus.Ipv6NotEnabled': {
    status: 400,
    message: ({ vpcId }: { vpcId: string }) => `IPv6 is not enabled for VPC \`${vpcId}\`: create it with \`EnableIpv6=true\` or call ModifyVpcAttribute with \`EnableIPv6=true\`.`,
  },
  'OperationUnsupported.DisableIpv6': {
    status: 400,
    message: ({ vpcId }: { vpcId: string }) => `IPv6 can't be turned off for VPC \`${vpcId}\` once enabled.`,
  },
  'OperationUnsupported.VSwitchIpv6Change': {
    status: 400,
    message: ({ vSwitchId, cidr }: { vSwitchId: string; cidr: string }) => `The IPv6 block of vSwitch \`${vSwitchId}\` is \`${cidr}\`; it can't be changed or turned off.`,
  },
  'InvalidVSwitchId.Ipv6NotTurnOn': {
    status: 400,
    message: ({ vSwitchId }: { vSwitchId: string }) => `IPv6 is not enabled for vSwitch \`${vSwitchId}\`: it has no \`Ipv6CidrBlock\`.`,
  },
  'InvalidIpv6Address.Malformed': {
    status: 400,
    message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not a valid IPv6 address.`,
    variants: {
      notInVSwitch: ({ name, value, cidr }: { name: string; value: string; cidr: string }) => `The specified \`${name}\` \`${value}\` is not in the vSwitch's IPv6 block \`${cidr}\`, or is one of its reserved addresses.`,
    },
  },
  'InvalidIpv6Address.Conflict': {
    status: 400,
    message: ({ value }: { value: string }) => `The IPv6 address \`${value}\` is already in use.`,
  },
  'InvalidIpv6Address.NotFound': {
    status: 404,
    message: ({ value, eniId }: { value: string; eniId: string }) => `The IPv6 address \`${value}\` is not assigned to network interface \`${eniId}\`.`,
  },
  'QuotaExceeded.Ipv6Address': {
    status: 400,
    message: ({ eniId, quota }: { eniId: string; quota: number }) => `Network interface \`${eniId}\` would have more than ${quota} IPv6 addresses, the quota.`,
  },
  'InvalidIpv6GatewayId.NotFound': { status: 404, message: ({ id }: { id: string }) => `The specified IPv6 gateway \`${id}\` is not found.` },
  'QuotaExceeded.Ipv6Gateway': {
    status: 400,
    message: ({ vpcId, id }: { vpcId: string; id: string }) => `VPC \`${vpcId}\` already has the IPv6 gateway \`${id}\`; a VPC has one.`,
  },
  'DependencyViolation.Ipv6Gateway': {
    status: 400,
    message: ({ vpcId, id }: { vpcId: string; id: string }) => `The VPC \`${vpcId}\` still has IPv6 gateway \`${id}\`; delete it first.`,
  },
  'DependencyViolation.Ipv6InternetBandwidth': {
    status: 400,
    message: ({ id, address }: { id: string; address: string }) => `The IPv6 gateway \`${id}\` still carries the internet bandwidth of \`${address}\`; delete it first.`,
  },
  'InvalidIpv6AddressId.NotFound': { status: 404, message: ({ id }: { id: string }) => `The specified IPv6 address \`${id}\` is not found.` },
  'InvalidIpv6InternetBandwidthId.NotFound': { status: 404, message: ({ id }: { id: string }) => `The specified IPv6 internet bandwidth \`${id}\` is not found.` },
  'OperationFailed.Ipv6InternetBandwidthExist': {
    status: 400,
    message: ({ address, id }: { address: string; id: string }) => `The IPv6 address \`${address}\` already has internet bandwidth \`${id}\`.`,
  },
  'InvalidIpv6Gateway.VpcMismatch': {
    status: 400,
    message: ({ id, address }: { id: string; address: string }) => `The IPv6 gateway \`${id}\` is not the gateway of the VPC of \`${address}\`.`,
  },

  // ---------------------------------------------------------------------------------------------
  // Cloud Enterprise Network (Cbn 2017-09-12; VPC's GrantInstanceToCen family)

  ParameterCenInstanceId: { status: 400, message: ({ cenId }: { cenId: string }) => `The specified CEN instance \`${cenId}\` does not exist or does not belong to the account.` },
  ParameterInstanceId: { status: 400, message: ({ id }: { id: string }) => `The specified network instance \`${id}\` does not exist, is not in the given region or account, or is not attached to the CEN instance.` },
  'ParameterIllegal.ChildInstanceType': { status: 400, message: ({ name, value }: { name: string; value: string }) => `The specified \`${name}\` \`${value}\` is not supported: the only type is \`VPC\`.` },
  'OperationFailed.DeleteCenWithChildInstance': {
    status: 400,
    message: ({ cenId, vpcId }: { cenId: string; vpcId: string }) => `The CEN instance \`${cenId}\` still has network instance \`${vpcId}\` attached; detach its network instances first.`,
  },
  'Forbidden.ChildInstanceNotGranted': {
    status: 403,
    message: ({ vpcId, cenId, ownerId }: { vpcId: string; cenId: string; ownerId: string }) =>
      `The network instance \`${vpcId}\` of account \`${ownerId}\` has not been granted to the CEN instance \`${cenId}\`: its owner must call GrantInstanceToCen first.`,
  },
  'InvalidOperation.ChildInstanceAttached': {
    status: 400,
    message: ({ vpcId, cenId }: { vpcId: string; cenId: string }) => `The network instance \`${vpcId}\` is already attached to the CEN instance \`${cenId}\`.`,
  },
  'InvalidOperation.CidrConflict': {
    status: 400,
    message: ({ vpcId, cidr, otherVpcId, otherCidr }: { vpcId: string; cidr: string; otherVpcId: string; otherCidr: string }) =>
      `The CIDR block \`${cidr}\` of \`${vpcId}\` overlaps the CIDR block \`${otherCidr}\` of \`${otherVpcId}\`, already attached to the CEN instance.`,
  },
  'InvalidOperation.GrantExists': { status: 400, message: ({ vpcId, cenId }: { vpcId: string; cenId: string }) => `The network instance \`${vpcId}\` is already granted to the CEN instance \`${cenId}\`.` },
  'InvalidOperation.GrantNotFound': { status: 400, message: ({ vpcId, cenId }: { vpcId: string; cenId: string }) => `The network instance \`${vpcId}\` is not granted to the CEN instance \`${cenId}\`.` },

  // ---------------------------------------------------------------------------------------------
  // RAM

  'EntityNotExist.User': { status: 404, message: ({ name }: { name: string }) => `The user \`${name}\` does not exist.` },
  'EntityAlreadyExists.User': { status: 409, message: ({ name }: { name: string }) => `The user \`${name}\` already exists.` },
  'LimitExceeded.User': { status: 409, message: ({ quota }: { quota: number }) => `The account has ${quota} users, the quota.` },
  'DeleteConflict.User.AccessKey': { status: 409, message: ({ name }: { name: string }) => `The user \`${name}\` still has AccessKeys; delete them first.` },
  'DeleteConflict.User.Group': { status: 409, message: ({ name }: { name: string }) => `The user \`${name}\` is still in a group; remove it first.` },
  'DeleteConflict.User.Policy': { status: 409, message: ({ name }: { name: string }) => `The user \`${name}\` still has policies attached; detach them first.` },
  'InvalidParameter.UserName.InvalidChars': { status: 400, message: ramNameChars },
  'InvalidParameter.GroupName.InvalidChars': { status: 400, message: ramNameChars },
  'EntityNotExist.Group': { status: 404, message: ({ name }: { name: string }) => `The group \`${name}\` does not exist.` },
  'EntityAlreadyExists.Group': { status: 409, message: ({ name }: { name: string }) => `The group \`${name}\` already exists.` },
  'LimitExceeded.Group': { status: 409, message: ({ quota }: { quota: number }) => `The account has ${quota} groups, the quota.` },
  'DeleteConflict.Group.User': { status: 409, message: ({ name }: { name: string }) => `The group \`${name}\` still has users.` },
  'DeleteConflict.Group.Policy': { status: 409, message: ({ name }: { name: string }) => `The group \`${name}\` still has policies attached.` },
  'EntityAlreadyExists.User.Group': { status: 409, message: ({ userName, groupName }: { userName: string; groupName: string }) => `The user \`${userName}\` is already in group \`${groupName}\`.` },
  'LimitExceeded.User.Group': { status: 409, message: ({ userName, limit }: { userName: string; limit: number }) => `The user \`${userName}\` is already in ${limit} groups.` },
  'EntityNotExist.User.Group': { status: 404, message: ({ userName, groupName }: { userName: string; groupName: string }) => `The user \`${userName}\` is not in group \`${groupName}\`.` },
  'EntityNotExist.Role': { status: 404, message: ({ name }: { name: string }) => `The role \`${name}\` does not exist.` },
  'EntityAlreadyExists.Role': { status: 409, message: ({ name }: { name: string }) => `The role \`${name}\` already exists.` },
  'LimitExceeded.Role': { status: 409, message: ({ quota }: { quota: number }) => `The account has ${quota} roles, the quota.` },
  'DeleteConflict.Role.Policy': { status: 409, message: ({ name }: { name: string }) => `The role \`${name}\` still has policies attached.` },
  'InvalidParameter.RoleName.InvalidChars': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`RoleName\` \`${value}\` must be 1 to 64 letters, digits, \`.\` or \`-\`.`,
  },
  'InvalidParameter.MaxSessionDuration': { status: 400, message: ({ value }: { value: string }) => `The specified \`MaxSessionDuration\` \`${value}\` must be between 3600 and 43200.` },
  'EntityNotExist.Policy': { status: 404, message: ({ name, type }: { name: string; type: string }) => `The policy \`${name}\` of type \`${type}\` does not exist.` },
  'EntityAlreadyExists.Policy': { status: 409, message: ({ name }: { name: string }) => `The policy \`${name}\` already exists.` },
  'LimitExceeded.Policy': { status: 409, message: ({ quota }: { quota: number }) => `The account has ${quota} custom policies, the quota.` },
  'InvalidParameter.PolicyName.InvalidChars': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`PolicyName\` \`${value}\` must be 1 to 128 letters, digits or \`-\`.`,
  },
  'InvalidParameter.PolicyType': { status: 400, message: ({ value }: { value: string }) => `The specified \`PolicyType\` \`${value}\` is invalid: use \`System\` or \`Custom\`.` },
  'DeleteConflict.Policy.User': { status: 409, message: policyStillAttached },
  'DeleteConflict.Policy.Group': { status: 409, message: policyStillAttached },
  'DeleteConflict.Policy.Role': { status: 409, message: policyStillAttached },
  'DeleteConflict.Policy.Version': { status: 409, message: ({ name }: { name: string }) => `The policy \`${name}\` still has non-default versions; delete them first.` },
  'LimitExceeded.Policy.Version': { status: 409, message: ({ name, limit }: { name: string; limit: number }) => `The policy \`${name}\` already has ${limit} versions.` },
  'EntityNotExist.Policy.Version': {
    status: 404,
    message: ({ versionId, name }: { versionId: string; name: string }) => `The version \`${versionId}\` of policy \`${name}\` does not exist.`,
  },
  'DeleteConflict.Policy.Version.Default': { status: 409, message: ({ versionId }: { versionId: string }) => `The version \`${versionId}\` is the policy's default version.` },
  'EntityAlreadyExists.User.Policy': { status: 409, message: policyAttached },
  'EntityAlreadyExists.Group.Policy': { status: 409, message: policyAttached },
  'EntityAlreadyExists.Role.Policy': { status: 409, message: policyAttached },
  'EntityNotExist.User.Policy': { status: 404, message: policyNotAttached },
  'EntityNotExist.Group.Policy': { status: 404, message: policyNotAttached },
  'EntityNotExist.Role.Policy': { status: 404, message: policyNotAttached },
  'InvalidParameter.PolicyDocument.Length': {
    status: 400,
    message: ({ length, max }: { length: number; max: number }) => `The policy document has ${length} characters; at most ${max} are allowed.`,
  },
  MalformedPolicyDocument: { status: 400, message: ({ problems }: { problems: string }) => `The policy document is malformed: ${problems}` },
  'LimitExceeded.User.AccessKey': { status: 409, message: ({ name, limit }: { name: string; limit: number }) => `The user \`${name}\` already has ${limit} AccessKeys.` },
  'EntityNotExist.User.AccessKey': { status: 404, message: ({ keyId, name }: { keyId: string; name: string }) => `The AccessKey \`${keyId}\` of user \`${name}\` does not exist.` },
  'InvalidParameter.Status': { status: 400, message: ({ value }: { value: string }) => `The specified \`Status\` \`${value}\` is invalid: use \`Active\` or \`Inactive\`.` },
  'InvalidParameter.Password': { status: 400, message: 'The password must be 8 to 32 characters with upper- and lower-case letters and digits.' },
  'EntityAlreadyExists.User.LoginProfile': { status: 409, message: ({ name }: { name: string }) => `The user \`${name}\` already has a login profile.` },
  'EntityNotExist.User.LoginProfile': { status: 404, message: ({ name }: { name: string }) => `The user \`${name}\` has no login profile.` },
  'InvalidParameter.Marker': { status: 400, message: ({ marker }: { marker: string | undefined }) => `The specified \`Marker\` \`${marker}\` is invalid.` },

  // RAM passwords, the account alias, virtual MFA devices and sign-in (src/domain/ram/signin.ts)
  'InvalidParameter.Password.Length': {
    status: 400,
    message: ({ min, max }: { min: number; max: number }) => `The password must be ${min} to ${max} characters, as the account's password policy requires.`,
  },
  'InvalidParameter.Password.Characters': {
    status: 400,
    message: ({ missing }: { missing: string }) => `The password must contain ${missing}, as the account's password policy requires.`,
  },
  'InvalidParameter.Password.Reused': {
    status: 400,
    message: ({ count }: { count: number }) => `The password must differ from the user's last ${count} passwords, as the account's password policy requires.`,
  },
  'InvalidParameter.OldPassword': { status: 400, message: 'The specified `OldPassword` is not the current password.' },
  InvalidUserType: {
    status: 400,
    message: ({ kind }: { kind: string }) => `ChangePassword changes the password of the RAM user that calls it; the caller is ${kind}, not a RAM user with a login profile.`,
  },
  'InvalidParameter.AccountAlias': {
    status: 400,
    message: ({ value }: { value: string }) =>
      `The specified \`AccountAlias\` \`${value}\` must be 3 to 32 lowercase letters, digits or \`-\`, not starting or ending with \`-\` nor holding \`--\`.`,
  },
  'EntityAlreadyExists.AccountAlias': { status: 409, message: ({ alias }: { alias: string }) => `The account alias \`${alias}\` is already used by another account.` },
  'InvalidParameter.VirtualMFADeviceName': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`VirtualMFADeviceName\` \`${value}\` must be 1 to 64 letters, digits or \`-\`.`,
  },
  'EntityAlreadyExists.VirtualMFADevice': { status: 409, message: ({ name }: { name: string }) => `The virtual MFA device \`${name}\` already exists.` },
  'EntityNotExist.VirtualMFADevice': { status: 404, message: ({ serialNumber }: { serialNumber: string }) => `The virtual MFA device \`${serialNumber}\` does not exist.` },
  'EntityAlreadyExists.VirtualMFADevice.User': {
    status: 409,
    message: ({ serialNumber, userName }: { serialNumber: string; userName: string }) => `The virtual MFA device \`${serialNumber}\` is already bound to user \`${userName}\`.`,
  },
  'DeleteConflict.VirtualMFADevice.User': {
    status: 409,
    message: ({ serialNumber, userName }: { serialNumber: string; userName: string }) => `The virtual MFA device \`${serialNumber}\` is bound to user \`${userName}\`; unbind it first.`,
  },
  'EntityAlreadyExists.User.MFADevice': { status: 409, message: ({ name }: { name: string }) => `The user \`${name}\` already has an MFA device; unbind it first.` },
  'EntityNotExist.User.MFADevice': { status: 404, message: ({ name }: { name: string }) => `The user \`${name}\` has no MFA device.` },
  'InvalidParameter.AuthenticationCode': {
    status: 400,
    message: 'The authentication codes are not two consecutive current codes of the MFA device.',
  },
  'SignIn.InvalidPrincipalName': {
    status: 400,
    message: ({ value }: { value: string }) => `The user principal name \`${value}\` is not of the form \`<user>@<account id or alias>.onaliyun.com\`.`,
  },
  'SignIn.Failed': {
    status: 401,
    message: 'The user principal name or the password is wrong.',
    variants: { accessKey: 'The AccessKey ID or the AccessKey secret is wrong.' },
  },
  'SignIn.Locked': {
    status: 403,
    message: ({ until }: { until: string }) => `Too many wrong passwords: signing in as this user is locked until ${until}.`,
  },
  'SignIn.PasswordExpired': { status: 403, message: 'The password has expired and the password policy forbids signing in with it; an administrator must reset it.' },
  'SignIn.MFACodeInvalid': { status: 401, message: 'The MFA code is wrong, or was already used.' },
  'SignIn.SessionExpired': { status: 401, message: 'The sign-in session has expired; sign in again.' },
  // the web console's sessions (src/domain/console-sessions.ts)
  'ConsoleSession.Missing': { status: 401, message: 'There is no console session (or it was signed out): sign in.' },
  'ConsoleSession.Expired': {
    status: 401,
    message: 'The console session has expired; sign in again.',
    variants: { keyRevoked: 'The AccessKey the console session signed in with was deleted or disabled; sign in again.' },
  },
  'ConsoleSession.CsrfTokenInvalid': { status: 403, message: 'The `x-csrf-token` header is missing or is not the console session\'s CSRF token.' },

  // ---------------------------------------------------------------------------------------------
  // STS and the instance metadata endpoint

  'InvalidParameter.RoleArn': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`RoleArn\` \`${value}\` is not a role ARN (\`acs:ram::<account>:role/<name>\`).`,
  },
  'InvalidParameter.RoleSessionName': {
    status: 400,
    message: ({ value }: { value: string }) => `The specified \`RoleSessionName\` \`${value}\` must be 2 to 64 letters, digits, \`.\`, \`@\`, \`-\` or \`_\`.`,
  },
  'InvalidParameter.PolicySize': { status: 400, message: ({ max }: { max: number }) => `The session policy is longer than ${max} bytes.` },
  'InvalidParameter.PolicyGrammar': {
    status: 400,
    message: 'The session policy is malformed.',
    // the policy checker's own message (MalformedPolicyDocument or InvalidParameter.PolicyDocument.Length)
    variants: { checked: ({ message }: { message: string }) => message },
  },
  'InvalidParameter.DurationSeconds': {
    status: 400,
    message: ({ value, max }: { value: string; max: number }) => `The specified \`DurationSeconds\` \`${value}\` must be between 900 and the role's maximum, ${max}.`,
    variants: {
      endpoint: ({ value, min, max, roleName }: { value: string; min: number; max: number; roleName: string }) =>
        `The specified \`DurationSeconds\` \`${value}\` must be between ${min} and ${max}${roleName !== '' ? `, the session length of role \`${roleName}\`` : ''}.`,
    },
  },

  // ---------------------------------------------------------------------------------------------
  // Anti-DDoS Basic (antiddos-public 2017-05-18, and Parapet's penalty and scrubbing operations)

  'InvalidInternetIp.NotFound': {
    status: 404,
    message: ({ ip }: { ip: string }) => `The specified \`InternetIp\` \`${ip}\` is not a public address of an instance of yours.`,
    variants: {
      notOfInstance: ({ ip, instanceId }: { ip: string; instanceId: string }) => `The specified \`InternetIp\` \`${ip}\` is not the public address of instance \`${instanceId}\`.`,
      notInPool: ({ ip }: { ip: string }) => `The specified \`InternetIp\` \`${ip}\` is not an address of this cloud's public pool.`,
    },
  },
  IncorrectIpStatus: {
    status: 403,
    message: ({ ip }: { ip: string }) => `The address \`${ip}\` is not black-holed.`,
  },
  'InvalidPenaltyId.NotFound': { status: 404, message: ({ id }: { id: string }) => `The specified penalty \`${id}\` does not exist.` },
  IncorrectPenaltyStatus: { status: 403, message: ({ id }: { id: string }) => `The penalty \`${id}\` has ended; only a penalty in force can be appealed.` },

  // ---------------------------------------------------------------------------------------------
  // Security Center basic (sas 2018-12-03, and Parapet's agent operations)

  'InvalidCheckWarningId.NotFound': { status: 404, message: ({ id }: { id: string }) => `The specified \`CheckWarningId\` \`${id}\` is not a current baseline warning of yours.` },
  'BaselineFix.NotSupported': {
    status: 400,
    message: ({ checkId, name }: { checkId: string; name: string }) => `The check \`${checkId}\` (${name}) can't be fixed automatically; follow its advice (DescribeCheckWarningDetail).`,
  },
} as const satisfies Record<string, Entry>;

export type ErrorCatalog = typeof ERROR_CATALOG;
/** Every code Parapet answers. */
export type ErrorCode = keyof ErrorCatalog;

type TemplateArgs<T> = T extends (values: infer A) => string ? [values: A] : [];
type VariantArgs<V> = V extends { readonly message: infer T } ? TemplateArgs<T> : TemplateArgs<V>;
type DefaultCall<E> = E extends { readonly message: infer T } ? TemplateArgs<T> : never;
type VariantCall<E> = E extends { readonly variants: infer M }
  ? { [K in keyof M & string]: [variant: K, ...VariantArgs<M[K]>] }[keyof M & string]
  : never;
/** What follows the code in a call: the default message's values, or a variant's name and its values. */
export type ErrorArgs<C extends ErrorCode> = DefaultCall<ErrorCatalog[C]> | VariantCall<ErrorCatalog[C]>;

/** One catalog error, its message filled in. */
export interface ErrorText<C extends ErrorCode = ErrorCode> {
  readonly code: C;
  readonly httpStatus: number;
  readonly message: string;
}

/** The code, status and message of a catalog entry (its default message, or the named variant). */
export function errorText<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): ErrorText<C> {
  const entry: Entry = ERROR_CATALOG[code];
  const [first, second] = args as readonly unknown[];
  let variant: Variant = entry.message;
  let values = first;
  if (typeof first === 'string') {
    const named = entry.variants !== undefined && Object.hasOwn(entry.variants, first) ? entry.variants[first] : undefined;
    if (named === undefined) throw new Error(`The error catalog has no variant \`${first}\` of \`${code}\`.`);
    variant = named;
    values = second;
  }
  const template = typeof variant === 'object' ? variant.message : variant;
  return {
    code,
    httpStatus: typeof variant === 'object' ? variant.status : entry.status,
    message: typeof template === 'string' ? template : template(values as never),
  };
}
