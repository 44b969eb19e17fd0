// RAM quotas of an account and of its entities (ALIBABA-FACTS §4.5), checked by the module of each
// entity inside the RAM lock (./lock.ts). Roles keep theirs in ./roles.ts.
export const RAM_LIMITS = { users: 1000, groups: 50, groupsPerUser: 5, accessKeysPerUser: 2, customPolicies: 1500, versionsPerPolicy: 5, policyDocumentChars: 4096 };
