// Quotas and limits, as configuration with SPEC/ALIBABA-FACTS values as defaults.
export interface Limits {
  vpcsPerRegion: number;
  vswitchesPerVpc: number;
}

export const DEFAULT_LIMITS: Limits = {
  vpcsPerRegion: 10,
  vswitchesPerVpc: 150,
};
