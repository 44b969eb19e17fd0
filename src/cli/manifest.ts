// The operations the `parapet` command knows (src/cli/operations.json, written from the catalog by
// bin/cli-manifest.ts): product, version, action, and the parameters as the wire takes them.

/** One parameter as the CLI checks and documents it. */
export interface CliParam {
  type: 'String' | 'Integer' | 'Boolean' | 'Json' | 'RepeatList' | 'Object';
  required?: true;
  maxLength?: number;
  pattern?: string;
  /** RepeatList: at most this many items; its items' shape */
  maxItems?: number;
  item?: CliParam;
  /** Object (an item of a RepeatList of structures): its fields */
  fields?: Record<string, CliParam>;
}

export interface CliOperation { product: string; version: string; action: string; params: Record<string, CliParam> }
