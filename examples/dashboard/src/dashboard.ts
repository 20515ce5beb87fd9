// A dashboard's tiles from Kith, typed end to end: graphql-codegen reads this query against
// the committed schema.graphql and tsc checks every field used below. A change to the schema
// that breaks the dashboard fails `make check-example-dashboard`.
import { graphql } from './gql';
import type { TilesQuery } from './gql/graphql';
import { print } from 'graphql';

export const Tiles = graphql(`
  query Tiles {
    byArea: tileCounts(by: AREA) {
      total
      cells { value name count }
    }
    byAgeBand: tileCounts(by: AGE_BAND) {
      cells { value count }
    }
    members: tileCounts(by: GROUP) {
      cells { name count }
      truncated
    }
    ties: tileCounts(by: TIE_KIND) {
      total
      cells { value count }
    }
  }
`);

/** One tile as the page draws it. */
export interface Tile {
  title: string;
  total: number | null;
  bars: { label: string; count: number }[];
}

/** fetchTiles posts the query to Kith's /graphql with a bearer token. */
export async function fetchTiles(endpoint: string, token: string): Promise<TilesQuery> {
  const resp = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(Tiles), operationName: 'Tiles' }),
  });
  const body = (await resp.json()) as { data?: TilesQuery; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    const e = body.errors?.[0];
    throw new Error(`${e?.extensions?.code ?? resp.status}: ${e?.message ?? 'no data'}`);
  }
  return body.data;
}

/** tiles turns the answer into the page's tiles. */
export function tiles(data: TilesQuery): Tile[] {
  const bar = (c: { value?: string | null; name?: string | null; count: number }) => ({
    label: c.name ?? c.value ?? 'not recorded',
    count: c.count,
  });
  return [
    { title: 'People by area', total: data.byArea.total, bars: data.byArea.cells.map(bar) },
    { title: 'People by age band', total: null, bars: data.byAgeBand.cells.map(bar) },
    { title: data.members.truncated ? 'Members per group (largest)' : 'Members per group', total: null, bars: data.members.cells.map(bar) },
    { title: 'Ties by kind', total: data.ties.total, bars: data.ties.cells.map(bar) },
  ];
}
