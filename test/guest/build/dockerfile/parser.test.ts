// The Dockerfile front end (src/guest/build/dockerfile): parser, words, expansion, instructions,
// stages; a table of files with the errors Docker gives for them and the lines it names.
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../../../src/guest/build/dockerfile/parser.ts';
import { DockerfileError, excerpt } from '../../../../src/guest/build/dockerfile/errors.ts';
import { findStage, targetStage, toStages, type Dockerfile } from '../../../../src/guest/build/dockerfile/instructions.ts';
import { ShellLex } from '../../../../src/guest/build/dockerfile/shell.ts';

const read = (text: string): Dockerfile => toStages(parseDockerfile(text));

function failure(text: string): DockerfileError {
  try {
    read(text);
  } catch (e) {
    if (e instanceof DockerfileError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('parser', () => {
  it('reads the article Dockerfile as four instructions on their lines', () => {
    const df = read('FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y python3\nLABEL maintainer="Your name "\n');
    expect(df.stages).toHaveLength(1);
    expect(df.stages[0]!.from.image).toBe('debian:bookworm-slim');
    const ins = df.stages[0]!.instructions;
    expect(ins.map((i) => [i.kind, i.node.startLine])).toEqual([['run', 2], ['run', 3], ['label', 4]]);
    expect(ins[2]).toMatchObject({ kind: 'label', pairs: [{ key: 'maintainer', value: '"Your name "' }] });
  });

  it('joins continuation lines, skipping comments and empty lines inside, and keeps the line range', () => {
    const p = parseDockerfile('FROM busybox\nRUN echo a \\\n  # a comment\n\n  && echo b\nCMD ["sh"]\n');
    expect(p.nodes.map((n) => [n.cmd, n.startLine, n.endLine])).toEqual([['from', 1, 1], ['run', 2, 5], ['cmd', 6, 6]]);
    expect(p.nodes[1]!.args).toEqual(['echo a   && echo b']);
    expect(p.warnings).toHaveLength(1);
  });

  it('honours the escape directive, and directives stop at the first other line', () => {
    const p = parseDockerfile('# escape=`\nFROM busybox\nRUN dir c:\\ `\n  && echo x\n');
    expect(p.directives.escape).toBe('`');
    expect(p.nodes[1]!.args).toEqual(['dir c:\\   && echo x']);
    const late = parseDockerfile('FROM busybox\n# escape=`\nRUN echo \\\n x\n');
    expect(late.directives.escape).toBe('\\');
    expect(late.nodes[1]!.args).toEqual(['echo  x']);
    expect(parseDockerfile('# syntax=docker/dockerfile:1\nFROM busybox\n').directives.syntax).toBe('docker/dockerfile:1');
  });

  it('tells exec form from shell form', () => {
    const p = parseDockerfile('FROM busybox\nCMD ["echo", "hi"]\nCMD echo hi\nENTRYPOINT [not json\nRUN ["a" , "b"]\n');
    expect(p.nodes.slice(1).map((n) => [n.json, n.args])).toEqual([
      [true, ['echo', 'hi']],
      [false, ['echo hi']],
      [false, ['[not json']],
      [true, ['a', 'b']],
    ]);
  });

  it('reads heredocs, quoted ones unexpanded, <<- without leading tabs', () => {
    const p = parseDockerfile('FROM busybox\nRUN <<EOF\necho $HOME\nEOF\nCOPY <<"A" <<-B /dst/\none\nA\n\ttwo\n\tB\nRUN true\n');
    expect(p.nodes[1]).toMatchObject({ cmd: 'run', startLine: 2, endLine: 4, heredocs: [{ name: 'EOF', content: 'echo $HOME\n', expand: true }] });
    expect(p.nodes[2]!.heredocs).toEqual([
      { name: 'A', content: 'one\n', expand: false, chomp: false },
      { name: 'B', content: 'two\n', expand: true, chomp: true },
    ]);
    expect(p.nodes[2]!.args).toEqual(['<<"A"', '<<-B', '/dst/']);
    expect(p.nodes[3]!.startLine).toBe(10);
  });

  it('reads ENV and LABEL pairs, the old "ENV name value" form, and ARG words', () => {
    const p = parseDockerfile('FROM busybox\nENV A=1 B="two words" C=a\\ b\nENV OLD some value\nARG X Y=2\n');
    expect(p.nodes[1]!.args).toEqual(['A', '1', 'B', '"two words"', 'C', 'a\\ b']);
    expect(p.nodes[2]).toMatchObject({ args: ['OLD', 'some value'], legacyKeyValue: true });
    expect(p.nodes[3]!.args).toEqual(['X', 'Y=2']);
  });

  it('reads flags before the arguments', () => {
    const df = read('FROM --platform=linux/386 busybox AS Build\nCOPY --from=build --chown=1:2 --chmod=644 a b /dst/\n');
    expect(df.stages[0]!.from).toMatchObject({ platform: 'linux/386', name: 'build', image: 'busybox' });
    expect(df.stages[0]!.instructions[0]).toMatchObject({ kind: 'copy', from: 'build', chown: '1:2', chmod: '644', sources: ['a', 'b'], dest: '/dst/' });
  });

  it('reads HEALTHCHECK, ONBUILD and SHELL', () => {
    const df = read('FROM busybox\nHEALTHCHECK --interval=30s --retries=3 CMD wget -q localhost\nHEALTHCHECK NONE\nONBUILD RUN echo hi\nSHELL ["/bin/sh", "-ec"]\n');
    const [h, n, o, s] = df.stages[0]!.instructions;
    expect(h).toMatchObject({ health: { Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 30e9, Retries: 3 } });
    expect(n).toMatchObject({ health: { Test: ['NONE'] } });
    expect(o).toMatchObject({ kind: 'onbuild', expression: 'RUN echo hi' });
    expect(s).toMatchObject({ kind: 'shell', shell: ['/bin/sh', '-ec'] });
  });

  it('groups stages, keeps ARGs before FROM as meta args, finds --target and --from stages', () => {
    const df = read('ARG V=1\nFROM busybox AS one\nRUN true\nFROM one AS two\nFROM scratch\nCOPY --from=two /a /a\n');
    expect(df.metaArgs[0]!.args).toEqual([{ name: 'V', value: '1' }]);
    expect(df.stages.map((s) => s.from.name)).toEqual(['one', 'two', null]);
    expect(targetStage(df, 'TWO').index).toBe(1);
    expect(targetStage(df, null).index).toBe(2);
    expect(findStage(df, 'one', 2)?.index).toBe(0);
    expect(findStage(df, '1', 2)?.index).toBe(1);
    expect(findStage(df, 'alpine', 2)).toBeNull();
  });

  const errors: [string, string, number | null][] = [
    ['FROM busybox\nRUN true\nFRM x\n', 'unknown instruction: FRM (did you mean from?)', 3],
    ['FROM busybox\nRUNN echo\n', 'unknown instruction: RUNN (did you mean run?)', 2],
    ['FROM busybox\nRUN apt-get update\n  && apt-get install -y x\n', 'unknown instruction: &&', 3],
    ['FROM\n', 'FROM requires either one or three arguments', 1],
    ['FROM a b\n', 'FROM requires either one or three arguments', 1],
    ['FROM a AS 1x\n', 'invalid name for build stage: "1x", name can\'t start with a number or contain symbols', 1],
    ['FROM a AS x\nFROM b AS x\n', 'duplicate stage name "x"', 2],
    ['FROM busybox\nRUN\n', 'RUN requires at least one argument', 2],
    ['FROM busybox\n\nCOPY onlyone\n', 'COPY requires at least two arguments, but only one was provided. Destination could not be determined', 3],
    ['FROM busybox\nADD\n', 'ADD requires at least two arguments, but only one was provided. Destination could not be determined', 2],
    ['FROM busybox\nWORKDIR\n', 'WORKDIR requires exactly one argument', 2],
    ['FROM busybox\nMAINTAINER\n', 'MAINTAINER requires exactly one argument', 2],
    ['FROM busybox\nEXPOSE\n', 'EXPOSE requires at least one argument', 2],
    ['FROM busybox\nENV\n', 'ENV requires at least one argument', 2],
    ['FROM busybox\nENV ONLY\n', 'ENV must have two arguments', 2],
    ['FROM busybox\nLABEL a=b c\n', 'Syntax error - can\'t find = in "c". Must be of the form: name=value', 2],
    ['FROM busybox\nARG =x\n', 'ARG names can not be blank', 2],
    ['FROM busybox\nSHELL /bin/bash -c\n', 'SHELL requires the arguments to be in JSON form', 2],
    ['FROM busybox\nCMD ["a", 1]\n', 'when using JSON array syntax, arrays must be comprised of strings only', 2],
    ['FROM busybox\nCOPY --form=x a b\n', 'unknown flag: form (did you mean from?)', 2],
    ['FROM busybox\nCOPY --from a b\n', 'missing a value on flag: from', 2],
    ['FROM busybox\nCOPY --chmod=999 a b\n', 'invalid chmod parameter: 999. it should be octal string and between 0 and 07777', 2],
    ['FROM busybox\nHEALTHCHECK CMD\n', 'Missing command after HEALTHCHECK CMD', 2],
    ['FROM busybox\nHEALTHCHECK FOO x\n', 'Unknown type "FOO" in HEALTHCHECK (try CMD)', 2],
    ['FROM busybox\nHEALTHCHECK --interval=soon CMD true\n', 'time: invalid duration "soon"', 2],
    ['FROM busybox\nONBUILD FROM x\n', 'FROM isn\'t allowed as an ONBUILD trigger', 2],
    ['FROM busybox\nRUN <<EOF\necho\n', 'unterminated heredoc', 2],
    ['# escape=x\nFROM busybox\n', 'invalid escape token \'x\' does not match ` or \\', 1],
    ['RUN true\nFROM busybox\n', 'no build stage in current context', 1],
    ['ARG A\n', 'dockerfile contains no stages to build', null],
    ['\n# only a comment\n', 'file with no instructions', null],
  ];

  it.each(errors)('%j fails: %s (line %s)', (text, message, line) => {
    const e = failure(text);
    expect(e.detail).toBe(message);
    expect(e.range?.start ?? null).toBe(line);
    if (line !== null && e.parse) {
      expect(e.message).toBe(`dockerfile parse error on line ${line}: ${message}`);
      expect(e.legacyMessage()).toBe(`dockerfile parse error line ${line}: ${message}`);
    }
  });

  it('an unknown --target names the stage', () => {
    expect(() => targetStage(read('FROM busybox AS a\n'), 'b')).toThrow('target stage "b" could not be found');
  });

  it('prints BuildKit\'s excerpt around the failing line', () => {
    expect(excerpt('Dockerfile', 'FROM busybox\nRUN true\nFRM x\nRUN a\nRUN b\nRUN c\n', { start: 3, end: 3 })).toBe(
      ['Dockerfile:3', '--------------------', '   1 |     FROM busybox', '   2 |     RUN true', '   3 | >>> FRM x', '   4 |     RUN a', '   5 |     RUN b', '--------------------'].join('\n'),
    );
  });
});

describe('variable expansion', () => {
  const lex = new ShellLex({ escape: '\\' });
  const env = new Map([['A', 'hello'], ['E', ''], ['P', '/usr/local/bin/python3.11']]);
  const cases: [string, string][] = [
    ['$A', 'hello'],
    ['${A}x', 'hellox'],
    ['$Ax', ''],
    ['${B:-def}', 'def'],
    ['${E:-def}', 'def'],
    ['${E-def}', ''],
    ['${A:-def}', 'hello'],
    ['${A:+set}', 'set'],
    ['${B:+set}', ''],
    ['${E+set}', 'set'],
    ["'$A'", '$A'],
    ['"$A world"', 'hello world'],
    ['\\$A', '$A'],
    ['"\\$A"', '$A'],
    ['"a\\b"', 'a\\b'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['$1', ''],
    ['${P#*/}', 'usr/local/bin/python3.11'],
    ['${P##*/}', 'python3.11'],
    ['${P%/*}', '/usr/local/bin'],
    ['${P%%.*}', '/usr/local/bin/python3'],
    ['${P/python/py}', '/usr/local/bin/py3.11'],
    ['${A:-$P}', 'hello'],
    ['${B:-"x y"}', 'x y'],
  ];
  it.each(cases)('%s -> %s', (word, out) => {
    expect(lex.processWord(word, env)).toBe(out);
  });

  it('reports errors in Docker\'s words', () => {
    expect(() => lex.processWord('${A', env)).toThrow("syntax error: missing '}'");
    expect(() => lex.processWord('${A:=x}', env)).toThrow('unsupported modifier (=) in substitution');
    expect(() => lex.processWord('${B:?must be set}', env)).toThrow('B: must be set');
    expect(() => lex.processWord('"open', env)).toThrow('unexpected end of statement while looking for matching double-quote');
  });

  it('splits words at unquoted whitespace', () => {
    expect(lex.processWords('a "b c" $A', env)).toEqual(['a', 'b c', 'hello']);
  });

  it('uses the escape directive\'s character', () => {
    expect(new ShellLex({ escape: '`' }).processWord('C:\\dir `$A', env)).toBe('C:\\dir $A');
  });
});
