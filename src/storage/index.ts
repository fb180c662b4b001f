export { toLocalPath, isDataFileName, listDataFiles, TextFileReader, TextFileWriter, commitFile, removeFile } from './local-files.js';
export { parseError, expectedFound } from './file-format.js';
export type { FileFormatName, DecodeLocation, RecordDecoder, RecordEncoder } from './file-format.js';
export { CsvDecoder, CsvEncoder, csvFormatOptions, decodeCsvText, DEFAULT_CSV_OPTIONS } from './csv-format.js';
export type { CsvFormatOptions } from './csv-format.js';
export { JsonLinesDecoder, JsonLinesEncoder, jsonFormatOptions, decodeJsonLinesText, DEFAULT_JSON_OPTIONS } from './json-lines-format.js';
export type { JsonFormatOptions, TimestampStandard, MapNullKeyMode } from './json-lines-format.js';
export { FILE_FORMATS, isFileFormatName, createRecordDecoder, createRecordEncoder } from './format-factory.js';
