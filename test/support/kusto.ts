/**
 * Parses and semantically checks a KQL text with the Kusto language service (the same engine as the
 * Azure Data Explorer / Log Analytics editors), against table schemas given by the test.
 * Returns the error messages only (warnings such as "avoid using contains" are not failures).
 *
 * The package is a Bridge.NET build of Kusto.Language: it registers `Kusto.Language` on
 * `globalThis` when its two scripts are loaded, and exposes .NET-style overloads as `$ctorN`.
 * The overloads used here (from Kusto.Language.Bridge.d.ts):
 *   TableSymbol.$ctor4(name, ColumnSymbol[])
 *   DatabaseSymbol.$ctor2(name, alternateName, Symbol[])   (alternateName first: passing the tables
 *                                                           there silently yields an empty database)
 */
import { createRequire } from 'node:module';

export type KqlColumnType = 'string' | 'long' | 'int' | 'real' | 'datetime' | 'dynamic' | 'bool' | 'guid' | 'timespan';

interface KustoDiagnostic {
  readonly Severity: string;
  readonly Message: string;
  readonly Start: number;
}
interface KustoList<T> {
  readonly Count: number;
  getItem(index: number): T;
}
interface KustoLanguage {
  readonly Symbols: {
    readonly ScalarTypes: Record<'String' | 'Long' | 'Int' | 'Real' | 'DateTime' | 'Dynamic' | 'Bool' | 'Guid' | 'TimeSpan', unknown>;
    readonly ColumnSymbol: new (name: string, type: unknown, description: null, originalColumns: null, source: null, examples: null) => unknown;
    readonly TableSymbol: { readonly $ctor4: new (name: string, columns: unknown[]) => unknown };
    readonly DatabaseSymbol: { readonly $ctor2: new (name: string, alternateName: string | null, members: unknown[]) => unknown };
  };
  readonly GlobalState: { readonly Default: { WithDatabase(database: unknown): unknown } };
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): KustoList<KustoDiagnostic> } };
}

let language: KustoLanguage | undefined;

function kusto(): KustoLanguage {
  if (language === undefined) {
    const load = createRequire(__filename);
    load('@kusto/language-service-next/bridge.js');
    load('@kusto/language-service-next/Kusto.Language.Bridge.js');
    const registered = (globalThis as { Kusto?: { Language?: KustoLanguage } }).Kusto?.Language;
    if (registered === undefined) throw new Error('kusto: @kusto/language-service-next did not register Kusto.Language');
    language = registered;
  }
  return language;
}

export function kqlDiagnostics(query: string, tables: Record<string, Record<string, KqlColumnType>>): string[] {
  const K = kusto();
  const types = K.Symbols.ScalarTypes;
  const typeOf: Record<KqlColumnType, unknown> = {
    string: types.String,
    long: types.Long,
    int: types.Int,
    real: types.Real,
    datetime: types.DateTime,
    dynamic: types.Dynamic,
    bool: types.Bool,
    guid: types.Guid,
    timespan: types.TimeSpan,
  };
  const tableSymbols = Object.entries(tables).map(
    ([name, columns]) =>
      new K.Symbols.TableSymbol.$ctor4(
        name,
        Object.entries(columns).map(([column, type]) => new K.Symbols.ColumnSymbol(column, typeOf[type], null, null, null, null)),
      ),
  );
  const database = new K.Symbols.DatabaseSymbol.$ctor2('tokenwatch', null, tableSymbols);
  const globals = K.GlobalState.Default.WithDatabase(database);
  const diagnostics = K.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Error') errors.push(`${d.Message} (at ${d.Start})`);
  }
  return errors;
}
