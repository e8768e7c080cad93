import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildParams, parseAmount, parseLevel, parseStatuses, parseTarget, shellQuote } from "../../sdk/src/cli/args";
import { configPath, readConfig, resolveConnection, writeConfig } from "../../sdk/src/cli/config";
import { CliError } from "../../sdk/src/cli/errors";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-cli-args-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const usageError = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(4);
    expect((err as CliError).message.split("\n")).toHaveLength(1);
    return (err as CliError).message;
  }
  throw new Error("expected a usage error");
};

describe("--param and --params-file", () => {
  it("parses values as JSON when they are JSON, else keeps the text", () => {
    expect(
      buildParams(["n=3", "ok=true", 'obj={"a":[1]}', "name=ada", "zip=007", "eq=a=b", "empty=", 'q="3"']),
    ).toEqual({ n: 3, ok: true, obj: { a: [1] }, name: "ada", zip: "007", eq: "a=b", empty: "", q: "3" });
    expect(buildParams([])).toBeUndefined();
  });

  it("merges a YAML or JSON file under the --params", () => {
    const yaml = path.join(tmp, "p.yaml");
    fs.writeFileSync(yaml, "day: 2026-11-21\nlimit: 5\nnested: { a: 1 }\n");
    expect(buildParams(["limit=9"], yaml)).toEqual({ day: "2026-11-21", limit: 9, nested: { a: 1 } });
    const json = path.join(tmp, "p.json");
    fs.writeFileSync(json, '{"x": [1, 2]}');
    expect(buildParams([], json)).toEqual({ x: [1, 2] });
  });

  it("refuses what is not key=value or not an object, in one sentence", () => {
    expect(usageError(() => buildParams(["novalue"]))).toContain("key=value");
    expect(usageError(() => buildParams(["=1"]))).toContain("key=value");
    const list = path.join(tmp, "list.yaml");
    fs.writeFileSync(list, "- 1\n- 2\n");
    expect(usageError(() => buildParams([], list))).toContain("must hold an object");
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, "{nope");
    expect(usageError(() => buildParams([], bad))).toContain("not valid JSON");
    expect(usageError(() => buildParams([], path.join(tmp, "missing.yaml")))).toContain("no such file");
  });
});

describe("run's target", () => {
  it("is a spec file, or a pipeline with an optional version", () => {
    const none = () => false;
    expect(parseTarget("spec.yaml", none)).toEqual({ kind: "file", path: "spec.yaml" });
    expect(parseTarget("./x", none)).toEqual({ kind: "file", path: "./x" });
    expect(parseTarget("Makefile", () => true)).toEqual({ kind: "file", path: "Makefile" });
    expect(parseTarget("hello-gate", none)).toEqual({ kind: "pipeline", name: "hello-gate" });
    expect(parseTarget("hello-gate@2", none)).toEqual({ kind: "pipeline", name: "hello-gate", version: 2 });
    expect(usageError(() => parseTarget("hello-gate@latest", none))).toContain("pipeline[@version]");
    expect(usageError(() => parseTarget("@3", none))).toContain("pipeline[@version]");
  });
});

describe("other flags", () => {
  it("--status, --level, amounts", () => {
    expect(parseStatuses(["running,failed", "RUNNING"])).toEqual(["RUNNING", "FAILED"]);
    expect(parseStatuses([])).toBeUndefined();
    expect(usageError(() => parseStatuses(["done"]))).toContain("SUCCEEDED");
    expect(parseLevel("warn")).toBe("WARNING");
    expect(parseLevel("error")).toBe("ERROR");
    expect(usageError(() => parseLevel("loud"))).toContain("DEBUG");
    expect(parseAmount("2.5", "budget")).toBe(2.5);
    expect(usageError(() => parseAmount("-1", "budget"))).toContain("≥ 0");
    expect(usageError(() => parseAmount("lots", "budget"))).toContain("lots");
  });

  it("quotes words for the shell only when needed", () => {
    expect(shellQuote("7d3f0c2e-1111")).toBe("7d3f0c2e-1111");
    expect(shellQuote("score[3]")).toBe("'score[3]'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe("config", () => {
  it("lives under XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configPath({ XDG_CONFIG_HOME: "/x/cfg" })).toBe("/x/cfg/signalbox/config.json");
    expect(configPath({ XDG_CONFIG_HOME: "relative" })).toBe(path.join(os.homedir(), ".config/signalbox/config.json"));
  });

  it("is written 0600 in a 0700 directory and read back", () => {
    const file = path.join(tmp, "xdg", "signalbox", "config.json");
    writeConfig(file, { url: "http://h:1", token: "sbx_secret" });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readConfig(file)).toEqual({ url: "http://h:1", token: "sbx_secret" });
    expect(readConfig(path.join(tmp, "none.json"))).toEqual({});
  });

  it("file < environment < flags", () => {
    const file = { url: "http://file:1", token: "file-token" };
    const env = { SIGNALBOX_URL: "http://env:2", SIGNALBOX_TOKEN: "env-token" };
    expect(resolveConnection({}, {}, file)).toEqual({ url: "http://file:1", token: "file-token" });
    expect(resolveConnection({}, env, file)).toEqual({ url: "http://env:2", token: "env-token" });
    expect(resolveConnection({ url: "http://flag:3/", token: "flag-token" }, env, file)).toEqual({
      url: "http://flag:3",
      token: "flag-token",
    });
    expect(resolveConnection({}, {}, {})).toEqual({ url: "http://127.0.0.1:3000", token: undefined });
    expect(usageError(() => resolveConnection({ url: "localhost:3000" }, {}, {}))).toContain("not an http(s) URL");
    expect(usageError(() => resolveConnection({ url: "not a url" }, {}, {}))).toContain("not a URL");
  });
});
