import { describe, expect, it } from 'vitest';
import { declarations, descendants, infraFiles, line, parseBicep, readBicep, stringValue, type SyntaxNode } from './bicep';

/**
 * Syntax of every Bicep file, with tree-sitter-bicep (the Bicep compiler needs a download, so it is
 * not available offline). A syntax error shows up as an ERROR node or a MISSING node.
 */

function syntaxProblems(root: SyntaxNode, tolerate: (node: SyntaxNode) => boolean = () => false): string[] {
  return descendants(root)
    .filter((node) => (node.type === 'ERROR' || node.isMissing) && !tolerate(node))
    .map((node) => `${node.isMissing ? `MISSING ${node.type}` : 'ERROR'} at ${line(node)}:${node.startPosition.column + 1}`);
}

/**
 * tree-sitter-bicep 1.1.0 knows only the .bicep form `param <name> <type> = <value>`; a .bicepparam
 * assigns without a type (`param <name> = <value>`), which the grammar reports as a MISSING type.
 * That one node, in that one position, is tolerated; any other ERROR or MISSING node still fails.
 */
function isUntypedParamAssignment(node: SyntaxNode): boolean {
  const declaration = node.parent?.type === 'type' ? node.parent.parent : node.parent;
  return node.isMissing && declaration?.type === 'parameter_declaration' && declaration.namedChildren[1]?.startIndex === node.startIndex;
}

describe('Bicep syntax', () => {
  const bicep = infraFiles('.bicep');
  const bicepparam = infraFiles('.bicepparam');

  it('finds the templates', () => {
    expect(bicep).toEqual(
      expect.arrayContaining(['infra/main.bicep', 'infra/tenant/entra-diagnostics.bicep', 'infra/tenant/activity-log-diagnostics.bicep', 'infra/modules/roleAssignments.bicep']),
    );
    expect(bicepparam).toEqual(['infra/main.bicepparam']);
  });

  it('parses every .bicep file without ERROR or MISSING nodes', () => {
    const problems = bicep.flatMap((path) => syntaxProblems(readBicep(path).root).map((problem) => `${path}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('parses every .bicepparam file without ERROR or MISSING nodes other than the untyped param assignment', () => {
    const problems = bicepparam.flatMap((path) => syntaxProblems(readBicep(path).root, isUntypedParamAssignment).map((problem) => `${path}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('flags a broken file (the check can fail)', () => {
    const broken = readBicep('infra/modules/identity.bicep');
    const text = broken.text.replace("name: name\n", 'name: \n  location: location location\n');
    expect(syntaxProblems(parseBicep(text)).length).toBeGreaterThan(0);
  });

  it('assigns in main.bicepparam only params that main.bicep declares, and uses main.bicep', () => {
    const params = readBicep('infra/main.bicepparam');
    const using = params.root.namedChildren.find((node) => node.type === 'using_statement');
    expect(stringValue(using?.namedChildren[0])).toBe('main.bicep');
    const declared = new Set(declarations(readBicep('infra/main.bicep')).filter((d) => d.kind === 'param').map((d) => d.name));
    const assigned = params.root.namedChildren.filter((node) => node.type === 'parameter_declaration').map((node) => node.namedChildren[0]?.text ?? '');
    expect(assigned.length).toBeGreaterThan(0);
    expect(assigned.filter((name) => !declared.has(name))).toEqual([]);
  });
});

