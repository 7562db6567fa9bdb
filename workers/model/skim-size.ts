/**
 * From this size a dropped .onnx goes to the worker as a handle (a File, not its bytes) and is
 * skimmed there (skim-onnx.ts); smaller ones are read whole. Its own module so the page can
 * import it without the protobuf code.
 */
export const SKIM_MIN_FILE_BYTES = 64 * 2 ** 20;
