/**
 * Every part of the service, in start order; each decides from the settings whether it runs. To add a part, write
 * a {@link ServicePart} in its own folder and list it here (see service/README.md).
 */
import { deliveryPart } from "./delivery/part";
import { indexerPart } from "./indexer/part";
import { intakePart } from "./intake/part";
import type { ServicePart } from "./part";
import { settlementPart } from "./settlement/part";

/** The parts of the service. */
export const PARTS: readonly ServicePart[] = [indexerPart, intakePart, settlementPart, deliveryPart];
