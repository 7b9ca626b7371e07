import { describe, expect, it } from 'vitest';
import { mergeValues, renderString } from './helm-template';

const Values = { name: 'gatehouse', port: 8080, big: 1000000, empty: '', list: ['a', 'b'], map: { b: 2, a: 1 }, nested: { on: true } };

describe('helm-template: the Go template subset the chart uses, with Go and Helm semantics', () => {
  it('trims whitespace around {{- and -}}, and drops comments', () => {
    expect(renderString('a  \n  {{- .Values.name -}}  \n  b{{/* gone */}}', { Values })).toBe('agatehouseb');
    expect(renderString('x\n{{- /* trimmed both ways */ -}}\ny', { Values })).toBe('xy');
  });

  it('passes a piped value as the last argument', () => {
    expect(renderString('{{ .Values.name | trunc 4 | printf "%s-%s" "pre" }}', { Values })).toBe('pre-gate');
    expect(renderString('{{ .Values.empty | default "fallback" | quote }}', { Values })).toBe('"fallback"');
  });

  it('prints numbers as Go prints a float64 and a missing key as nothing', () => {
    expect(renderString('{{ .Values.port }} {{ .Values.big }} {{ .Values.missing }}|', { Values })).toBe('8080 1e+06 |');
  });

  it('fails on a field of a missing value, like Helm ("nil pointer evaluating")', () => {
    expect(() => renderString('{{ .Values.missing.field }}', { Values })).toThrow(/nil pointer evaluating interface \{\}\.field/);
  });

  it('fails on a function outside the subset instead of rendering something else', () => {
    expect(() => renderString('{{ now }}', { Values })).toThrow(/function "now" not defined/);
    expect(() => renderString('{{ template "x" . }}', { Values })).toThrow(/outside the supported subset/);
  });

  it('ranges over lists and over maps in key order, with else for empty', () => {
    expect(renderString('{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}', { Values })).toBe('0=a;1=b;');
    expect(renderString('{{ range $k, $v := .Values.map }}{{ $k }}{{ $v }}{{ end }}', { Values })).toBe('a1b2');
    expect(renderString('{{ range .Values.missing }}x{{ else }}none{{ end }}', { Values })).toBe('none');
  });

  it('scopes variables, and lets = assign an outer one', () => {
    expect(renderString('{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ $y := "c" }}{{ end }}{{ $x }}', { Values })).toBe('b');
    expect(() => renderString('{{ if true }}{{ $y := "c" }}{{ end }}{{ $y }}', { Values })).toThrow(/undefined variable "\$y"/);
  });

  it('short-circuits and/or, and chains else if / with', () => {
    expect(renderString('{{ if and .Values.nested .Values.nested.on }}on{{ end }}', { Values })).toBe('on');
    expect(renderString('{{ if and .Values.missing .Values.missing.on }}on{{ else }}off{{ end }}', { Values })).toBe('off');
    expect(renderString('{{ if .Values.empty }}1{{ else if .Values.name }}2{{ else }}3{{ end }}', { Values })).toBe('2');
    expect(renderString('{{ with .Values.nested }}{{ .on }}{{ end }}', { Values })).toBe('true');
  });

  it('renders include, toYaml and nindent as Helm does (sorted keys, no trailing newline)', () => {
    const defines = '{{- define "t" -}}{{ .a }}-{{ .b }}{{- end -}}';
    expect(renderString('{{ include "t" (dict "a" 1 "b" "x") }}', { Values }, defines)).toBe('1-x');
    expect(renderString('m:{{ toYaml .Values.map | nindent 2 }}', { Values })).toBe('m:\n  a: 1\n  b: 2');
  });

  it('fails with the message of required and fail', () => {
    expect(() => renderString('{{ required "set name" .Values.empty }}', { Values })).toThrow(/set name/);
    expect(() => renderString('{{ fail "no" }}', { Values })).toThrow(/execution error .*no/);
  });

  it('merges user values over defaults like Helm: maps merge, lists replace, null deletes', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null })).toEqual({ a: { b: 1, c: [3] } });
  });
});
