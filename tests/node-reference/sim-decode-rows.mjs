// Decodes binary table rows (hex, as get_table_rows returns with json=false) with @wharfkit/antelope 1.2.0 and a given ABI.
// stdin:  { "abi": {…abi_def JSON…}, "type": "producer_info", "rows": ["hex", …] }
// stdout: { "rows": [ {…decoded row…}, … ] }
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { ABI, Serializer } = require('@wharfkit/antelope');

const input = JSON.parse(readFileSync(0, 'utf8'));
const abi = ABI.from(input.abi);
const rows = input.rows.map((data) => Serializer.objectify(Serializer.decode({ data, type: input.type, abi })));
process.stdout.write(JSON.stringify({ rows }));
