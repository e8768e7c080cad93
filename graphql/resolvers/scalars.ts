import { GraphQLScalarType, Kind, type ValueNode } from "graphql";

/** Any JSON value; literals are converted structurally (variables allowed inside). */
export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literal(ast, variables ?? {}),
});

function literal(ast: ValueNode, variables: Record<string, unknown>): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables[ast.name.value];
  }
}

/** Instants go out as ISO-8601 strings; Dates, ISO strings and epoch millis are accepted. */
export const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  serialize(value) {
    const d = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(d.getTime())) throw new TypeError("DateTime cannot represent an invalid date");
    return d.toISOString();
  },
  parseValue(value) {
    const d = new Date(value as string);
    if (typeof value !== "string" || Number.isNaN(d.getTime()))
      throw new TypeError("DateTime must be an ISO-8601 string");
    return d.toISOString();
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || Number.isNaN(new Date(ast.value).getTime())) {
      throw new TypeError("DateTime must be an ISO-8601 string");
    }
    return new Date(ast.value).toISOString();
  },
});
