/**
 * What a JSON.parse failure says, on one line. V8 quotes the text around the fault and the quote
 * keeps its line breaks (`Unexpected token '}', "{"a":1,\n"b":}" is not valid JSON`): a message
 * printed line by line lost everything after the first break, the fault's position included.
 */
export function jsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}
