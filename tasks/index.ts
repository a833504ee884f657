// Operators' CLI tasks are registered here. Tasks must load the SDK and TypeChain types lazily (inside their
// actions), because this file is loaded before `hardhat compile` has generated those types on a fresh clone.
import "./roles";
import "./bills";
import "./import";
import "./settle";
import "./reconcile";
