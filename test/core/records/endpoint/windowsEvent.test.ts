import { describe, expect, it } from 'vitest';
import { dataValue, readWindowsEvent } from '../../../../src/core/records/endpoint/windowsEvent';

const header = { Provider: 'Microsoft-Windows-Sysmon', Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'web-01', EventID: 3 };

describe('readWindowsEvent: event data', () => {
  it("reads the event's own data first, then the record's top-level fields, numbers and booleans as text", () => {
    const event = readWindowsEvent({
      ...header,
      ProcessId: '1',
      Image: 'C:\\top.exe',
      DestinationPort: 80,
      EventData: JSON.stringify({ ProcessId: 4242, Initiated: true, Image: 'C:\\own.exe', User: { nested: 'x' } }),
    })!;
    expect(event.data.get('ProcessId')).toBe('4242');
    expect(event.data.get('Image')).toBe('C:\\own.exe');
    expect(event.data.get('Initiated')).toBe('true');
    // Only in the record; the record's header fields are readable too (flat shapes carry data there).
    expect(event.data.get('DestinationPort')).toBe('80');
    expect(event.data.get('Computer')).toBe('web-01');
    // Not a scalar: absent, whatever the other level holds.
    expect(event.data.get('User')).toBeUndefined();
    expect(event.data.get('EventData')).toBeDefined();
    // Names the objects' prototype has are not fields.
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) expect(event.data.get(name), name).toBeUndefined();
  });

  it("an empty or placeholder value of the event's own data hides the record's and reads as absent", () => {
    const event = readWindowsEvent({ ...header, Image: 'C:\\top.exe', DestinationIp: '192.0.2.1', EventData: { Image: '', DestinationIp: '-' } })!;
    expect(event.data.get('Image')).toBe('');
    expect(dataValue(event, 'Image')).toBeUndefined();
    expect(dataValue(event, 'DestinationIp')).toBeUndefined();
  });

  it('reads the event XML converted to JSON (a Data list of @Name and #text), as an object and as text', () => {
    const data = { Data: [{ '@Name': 'Image', '#text': 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' }, { '@Name': 'DestinationIp', '#text': '169.254.169.254' }, { Name: 'DestinationPort', text: '80' }, { '@Name': 'RuleName' }] };
    for (const eventData of [data, JSON.stringify(data)]) {
      const event = readWindowsEvent({ ...header, EventData: eventData })!;
      expect(dataValue(event, 'Image')).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
      expect(dataValue(event, 'DestinationIp')).toBe('169.254.169.254');
      expect(dataValue(event, 'DestinationPort')).toBe('80');
      expect(dataValue(event, 'RuleName')).toBeUndefined();
    }
  });

  it('reads XML event data and winlogbeat event data the same way', () => {
    const xml = readWindowsEvent({
      ...header,
      EventData: '<EventData><Data Name="Image">C:\\a&amp;b.exe</Data><Data Name="DestinationIp">169.254.169.254</Data><Data Name="Empty"/></EventData>',
    })!;
    expect(dataValue(xml, 'Image')).toBe('C:\\a&b.exe');
    expect(dataValue(xml, 'DestinationIp')).toBe('169.254.169.254');
    expect(xml.data.get('Empty')).toBe('');
    const beat = readWindowsEvent({ winlog: { provider_name: header.Provider, event_id: '3', event_data: { Image: 'C:\\w.exe', DestinationPort: 443 } }, Image: 'C:\\top.exe' })!;
    expect(dataValue(beat, 'Image')).toBe('C:\\w.exe');
    expect(dataValue(beat, 'DestinationPort')).toBe('443');
  });
});
