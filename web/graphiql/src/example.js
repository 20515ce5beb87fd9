// The example query GraphiQL opens with: what any role may run.
export const ExampleQuery = `# Welcome to Kith. Sign in above, then run this (Ctrl-Enter).
# The Explorer (left) builds queries by ticking fields; Docs shows the schema.
query Example {
  areas(first: 5) {
    totalCount
    nodes {
      id
      name
    }
  }
}
`;
