// Builds a transaction from nodeos-style JSON (decoded action data) with eosjs 22.1.0 and @wharfkit/antelope 1.2.0,
// and checks signatures made elsewhere.
// stdin:  { "chain_id": hex, "transaction": {...nodeos JSON, action data as objects...},
//          "signatures": ["SIG_K1_…"], "signers": ["PUB_K1_… or EOS…", one per signature],
//          "private_keys": [WIF or PVT_K1_…] (optional: throwaway test keys, to compare signatures byte for byte) }
// stdout: { "eosjs": Result, "wharfkit": Result } with
//         Result = { packed_trx, transaction_id, digest, action_data: [hex], recovered: ["PUB_K1_…"], verified: [bool],
//                    signatures: ["SIG_K1_…" the library makes with private_keys] }
//         where verified[i] says whether signatures[i] verifies against signers[i] by the library's own verify.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';

const require = createRequire(import.meta.url);
const W = require('@wharfkit/antelope');
const { Api } = require('eosjs/dist/eosjs-api');
const { JsonRpc } = require('eosjs/dist/eosjs-jsonrpc');
const { digestFromSerializedData } = require('eosjs/dist/eosjs-jssig');
const eKC = require('eosjs/dist/eosjs-key-conversions');

const ABI = JSON.parse(readFileSync(new URL('./eosio-system-abi.json', import.meta.url), 'utf8'));
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const copy = (value) => JSON.parse(JSON.stringify(value));

async function withEosjs({ chain_id: chainId, transaction, signatures, signers, private_keys: privateKeys = [] }) {
  const noNetwork = async () => { throw new Error('no network in the reference check'); };
  const rpc = new JsonRpc('http://offline.invalid', { fetch: noNetwork });
  const rawAbi = new Api({ rpc, chainId }).jsonToRawAbi(ABI);
  const api = new Api({
    rpc, chainId,
    abiProvider: { getRawAbi: async (accountName) => ({ accountName, abi: rawAbi }) },
    textEncoder: new TextEncoder(), textDecoder: new TextDecoder(),
  });
  const result = await api.transact(copy(transaction), { broadcast: false, sign: false });
  const digest = Buffer.from(digestFromSerializedData(chainId, result.serializedTransaction, result.serializedContextFreeData));
  const actions = await api.serializeActions(copy(transaction.actions));
  const recovered = signatures.map((s) => eKC.Signature.fromString(s).recover(digest, false));
  return {
    packed_trx: hex(result.serializedTransaction),
    transaction_id: hex(eKC.sha256(result.serializedTransaction)),
    digest: digest.toString('hex'),
    action_data: actions.map((a) => a.data.toLowerCase()),
    recovered: recovered.map((k) => k.toString()),
    verified: signatures.map((s, i) => eKC.Signature.fromString(s).verify(digest, eKC.PublicKey.fromString(signers[i]), false)),
    signatures: privateKeys.map((k) => eKC.PrivateKey.fromString(k).sign(digest, false).toString()),
  };
}

function withWharfkit({ chain_id: chainId, transaction, signatures, signers, private_keys: privateKeys = [] }) {
  const actions = transaction.actions.map((a) => W.Action.from(copy(a), ABI));
  const tx = W.Transaction.from({ ...copy(transaction), actions });
  const digest = tx.signingDigest(chainId);
  const recovered = signatures.map((s) => W.Signature.from(s).recoverDigest(digest));
  return {
    packed_trx: W.Serializer.encode({ object: tx }).hexString,
    transaction_id: tx.id.hexString,
    digest: digest.hexString,
    action_data: actions.map((a) => a.data.hexString),
    recovered: recovered.map((k) => k.toString()),
    verified: signatures.map((s, i) => W.Signature.from(s).verifyDigest(digest, W.PublicKey.from(signers[i]))),
    signatures: privateKeys.map((k) => W.PrivateKey.fromString(k).signDigest(digest).toString()),
  };
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const output = { eosjs: await withEosjs(input), wharfkit: withWharfkit(input) };
// Node's own SHA-256 as a third opinion on the id.
output.node_sha256_of_eosjs_packed_trx = crypto.createHash('sha256').update(Buffer.from(output.eosjs.packed_trx, 'hex')).digest('hex');
process.stdout.write(JSON.stringify(output));
