// Pushes an eosio::regproducer through eosjs 22.1.0's Api.transact against a chain API (the simulator), the way a
// third-party client would: get_info, get_block_info / get_block, get_raw_abi, get_required_keys, push_transaction.
// stdin:  { "url": "http://127.0.0.1:port", "private_key": "PVT_K1_…", "actor": name, "permission": name,
//           "producer": name, "producer_key": "EOS… or PUB_K1_…", "producer_url": string }
// stdout: { "transaction_id": hex, "processed": { "block_num": n, "except": null }, "calls": ["/v1/chain/…", …] }
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { Api } = require('eosjs/dist/eosjs-api');
const { JsonRpc } = require('eosjs/dist/eosjs-jsonrpc');
const { JsSignatureProvider } = require('eosjs/dist/eosjs-jssig');

const input = JSON.parse(readFileSync(0, 'utf8'));
const calls = [];
const recordingFetch = async (url, init) => {
  calls.push(new URL(url).pathname);
  return fetch(url, init);
};

const rpc = new JsonRpc(input.url, { fetch: recordingFetch });
const api = new Api({
  rpc,
  signatureProvider: new JsSignatureProvider([input.private_key]),
  textEncoder: new TextEncoder(),
  textDecoder: new TextDecoder(),
});

try {
  const result = await api.transact({
    actions: [{
      account: 'eosio',
      name: 'regproducer',
      authorization: [{ actor: input.actor, permission: input.permission }],
      data: { producer: input.producer, producer_key: input.producer_key, url: input.producer_url, location: 0 },
    }],
  }, { blocksBehind: 3, expireSeconds: 30 });
  process.stdout.write(JSON.stringify({
    transaction_id: result.transaction_id,
    processed: { block_num: result.processed.block_num, except: result.processed.except ?? null },
    calls,
  }));
} catch (error) {
  process.stderr.write(`eosjs transact failed after calls ${JSON.stringify(calls)}: ${error?.stack ?? error}\n`);
  if (error?.json) process.stderr.write(JSON.stringify(error.json) + '\n');
  process.exit(1);
}
