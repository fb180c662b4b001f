export { OrcFile, isOrcFile } from './orc-file.js';
export type { OrcTopLevelField } from './orc-file.js';
export type { StructForm } from './column-reader.js';
export { ProtobufReader } from './protobuf-reader.js';
export { decodeIntRleV1, decodeIntRleV2 } from './int-rle.js';
export { decodeByteRle, decodeBooleanRle } from './byte-rle.js';
export { OrcCompressionKind, OrcTypeKind, OrcStreamKind, OrcEncodingKind } from './orc-metadata.js';
export type { OrcPostScript, OrcFooter, OrcType, OrcStripeInformation, OrcStripeFooter, OrcStream, OrcColumnEncoding } from './orc-metadata.js';
