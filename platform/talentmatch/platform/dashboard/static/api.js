// The GraphQL API, with the bearer token the log-in page keeps in sessionStorage (gone when
// the tab closes). Every figure the dashboard shows comes through here.

const TOKEN_KEY = "talentmatch.token";

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const keepToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
export const dropToken = () => sessionStorage.removeItem(TOKEN_KEY);

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
  }
}

// The `data` of a request; GraphQLError when the answer carries top-level errors (a document
// the schema refuses, an expired token, ...).
export async function graphql(query, variables = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLError([{ message: `HTTP ${response.status}` }]);
  }
  if (body.errors && body.errors.length) throw new GraphQLError(body.errors);
  return body.data;
}
