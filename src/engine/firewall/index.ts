// The firewall decision engine's public API (SPEC §1.3): the model, the reference evaluator kept
// as the oracle, and the compiled engine the API uses (compile once per ENI, then decide/explain).
export type { FlowProtocol, AddressRange, Address6Range, Ip6, FwRule, FwGroup, Flow, Reason, Decision, Platform } from './model.ts';
export { DEFAULT_PLATFORM } from './model.ts';
export { decideReference } from './reference.ts';
export { compileEni, decide, explain, type CompiledEni } from './compile.ts';
export { planEni, evaluatePlan, renderEni, planHash, NFT_PROTOS, NFT_PROTOS6, type NftBox, type NftDirectionPlan, type NftDirectionPlan6, type NftProto6, type NftEniPlan, type NftEniInput, type NftPacket, type NftEniRender } from './nft.ts';
