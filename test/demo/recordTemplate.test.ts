import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../src/demo/random';
import { bindTemplate, compileTemplate, numberSlot, renderTemplate, slot, slotRandom } from '../../src/demo/recordTemplate';

/** A small builder in the style of the record builders: named values, random draws, one draw used twice. */
function build(args: { ip: string; time: string; size: number; random: Random }) {
  const id = args.random.guid();
  return {
    callerIpAddress: args.ip,
    correlationId: id,
    properties: { requestId: id, path: `/tenants/${args.ip}/x`, durationMs: args.random.int(10, 20), size: args.size, aio: args.random.hex(6) },
    time: args.time,
    fixed: [1, true, null, 'ok'],
  };
}

const names = ['ip', 'time', 'size'];

describe('record templates', () => {
  it('render exactly what the builder would, for the same random sequence', () => {
    const template = compileTemplate(build({ ip: slot('ip'), time: slot('time'), size: numberSlot('size'), random: slotRandom() }), names);
    const rendered = renderTemplate(template, ['13.80.4.7', '2026-09-01T00:00:00.0000000Z', '512'], createRandom(9));
    const built = build({ ip: '13.80.4.7', time: '2026-09-01T00:00:00.0000000Z', size: 512, random: createRandom(9) });
    expect(JSON.parse(rendered)).toEqual(built);
    expect(rendered).toBe(JSON.stringify(built));
  });

  it('keeps a value the builder used twice equal within a record, and fresh across records', () => {
    const template = compileTemplate(build({ ip: slot('ip'), time: slot('time'), size: numberSlot('size'), random: slotRandom() }), names);
    const random = createRandom(1);
    const a = JSON.parse(renderTemplate(template, ['1.1.1.1', 't', '1'], random));
    const b = JSON.parse(renderTemplate(template, ['1.1.1.1', 't', '1'], random));
    expect(a.correlationId).toBe(a.properties.requestId);
    expect(a.correlationId).not.toBe(b.correlationId);
    expect(typeof a.properties.durationMs).toBe('number');
    expect(a.properties.path).toBe('/tenants/1.1.1.1/x');
  });

  it('binding fixed values gives the same text as rendering them each time', () => {
    const template = compileTemplate(build({ ip: slot('ip'), time: slot('time'), size: numberSlot('size'), random: slotRandom() }), names);
    const bound = bindTemplate(template, ['20.7.1.2', undefined, '64']);
    expect(bound.slots.length).toBe(template.slots.length - 3);
    expect(renderTemplate(bound, ['', 'T', ''], createRandom(4))).toBe(renderTemplate(template, ['20.7.1.2', 'T', '64'], createRandom(4)));
  });

  it('fails loudly on a slot nobody fills and on random use a template cannot hold', () => {
    expect(() => compileTemplate({ a: slot('missing') }, names)).toThrow(/missing/);
    const template = compileTemplate({ a: slot('ip') }, names);
    expect(() => renderTemplate(template, [], createRandom(1))).toThrow(/no value/);
    expect(() => slotRandom().pick([1, 2])).toThrow(/pick/);
  });
});
