/**
 * @internal Decodes the registry's event logs, fast. Every field of the registry's events is one 32-byte word
 * (`bytes32`, `uint256`, `address`), so a log's arguments are read straight from its topics and data words, by the
 * event's ABI fragment (from TypeChain's ABI, never a copied layout). ethers' `decodeEventLog` takes about 0.34 ms
 * per log (it hashes the event's signature and builds a `Result` each time): seconds for the tens of thousands of
 * events an indexer reads per range. An event with any other kind of field, and a log that does not have the
 * fragment's shape, is decoded by ethers (which then names what is wrong).
 */
import { getAddress, type EventFragment, type Interface, type ParamType } from "ethers";

/** A decoded event: its name and its arguments by name (`bytes32` as lower-case hex, `uint` as bigint). */
export interface DecodedEvent {
  readonly name: string;
  readonly args: Readonly<Record<string, string | bigint>>;
}

/** The topics and data of a log. */
export interface RawLog {
  readonly topics: readonly string[];
  readonly data: string;
}

type Decode = (log: RawLog) => DecodedEvent;

const WORD = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS_WORD = /^0x0{24}/;

/** Decodes the logs of one contract's events. */
export class EventDecoder {
  private readonly byTopic = new Map<string, Decode>();
  /** Checksummed addresses, by the lower-case hex of a topic's or word's last 20 bytes. */
  private readonly addresses = new Map<string, string>();

  constructor(private readonly iface: Interface) {
    iface.forEachEvent((fragment) => this.byTopic.set(fragment.topicHash, this.decoderOf(fragment)));
  }

  /**
   * Decodes a log of one of the contract's events.
   *
   * @returns The event, or null when the log's first topic is none of the contract's events.
   */
  decode(log: RawLog): DecodedEvent | null {
    const decode = this.byTopic.get(log.topics[0]?.toLowerCase() ?? "");
    return decode === undefined ? null : decode(log);
  }

  private decoderOf(fragment: EventFragment): Decode {
    const slow: Decode = (log) => ({
      name: fragment.name,
      args: this.iface.decodeEventLog(fragment, log.data, log.topics).toObject() as Record<string, string | bigint>,
    });
    const readers = fragment.inputs.map((input) => this.wordReader(input));
    if (fragment.anonymous || readers.some((r) => r === undefined)) return slow;
    const indexed = fragment.inputs.filter((input) => input.indexed).length;
    const words = fragment.inputs.length - indexed;
    return (log) => {
      if (log.topics.length !== indexed + 1 || log.data.length !== 2 + 64 * words) return slow(log);
      const args: Record<string, string | bigint> = {};
      let malformed = false;
      let topic = 1;
      let word = 0;
      fragment.inputs.forEach((input, i) => {
        const hex = input.indexed ? log.topics[topic++] : "0x" + log.data.slice(2 + 64 * word, 66 + 64 * word++);
        if (!WORD.test(hex) || (input.type === "address" && !ADDRESS_WORD.test(hex))) malformed = true;
        else args[input.name] = readers[i]!(hex);
      });
      return malformed ? slow(log) : { name: fragment.name, args };
    };
  }

  private wordReader(input: ParamType): ((word: string) => string | bigint) | undefined {
    if (input.type === "bytes32") return (word) => word.toLowerCase();
    if (input.type === "uint256") return (word) => BigInt(word);
    if (input.type === "address") {
      return (word) => {
        const key = word.slice(26).toLowerCase();
        let address = this.addresses.get(key);
        if (address === undefined) {
          address = getAddress("0x" + key);
          this.addresses.set(key, address);
        }
        return address;
      };
    }
    return undefined;
  }
}
