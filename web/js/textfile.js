// Read a picked file as text. Property offices export CSV from Excel as UTF-8 (often with a BOM)
// or as GBK; the API takes UTF-8 text, so decode here: strict UTF-8 first, GBK if that fails.

export async function readText(file) {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("gbk").decode(bytes);
  }
}
