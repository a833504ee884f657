import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ADMIN_DELAY, actorAddresses, deployRegistryFixture, registryState, type RegistryFixture } from "./fixtures";

/** The new admin in these tests: a fresh account (index 8) with no role. */
async function successor() {
  return (await ethers.getSigners())[8];
}

/** The registry with a hand-over to the successor begun by the admin; returns the schedule. */
async function handoverBegunFixture(): Promise<RegistryFixture & { schedule: bigint; newAdmin: string }> {
  const f = await deployRegistryFixture();
  const next = await successor();
  await f.registry.connect(f.admin).beginDefaultAdminTransfer(next.address);
  const [, schedule] = await f.registry.pendingDefaultAdmin();
  return { ...f, schedule, newAdmin: next.address };
}

describe("BillRegistry.adminHandover", function () {
  describe("beginDefaultAdminTransfer", function () {
    it("schedules the new admin at block time + delay and emits DefaultAdminTransferScheduled", async function () {
      const { registry, admin } = await loadFixture(deployRegistryFixture);
      const next = await successor();
      const tx = await registry.connect(admin).beginDefaultAdminTransfer(next.address);
      const receipt = await tx.wait();
      const block = await ethers.provider.getBlock(receipt!.blockNumber);
      const schedule = BigInt(block!.timestamp) + ADMIN_DELAY;
      await expect(tx).to.emit(registry, "DefaultAdminTransferScheduled").withArgs(next.address, schedule);
      const [pending, pendingSchedule] = await registry.pendingDefaultAdmin();
      expect(pending).to.equal(next.address);
      expect(pendingSchedule).to.equal(schedule);
      // Nothing changes hands yet.
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), next.address)).to.equal(false);
    });

    it("a second begin replaces the first candidate", async function () {
      const f = await loadFixture(handoverBegunFixture);
      await expect(f.registry.connect(f.admin).beginDefaultAdminTransfer(f.hospitalB.address)).to.emit(
        f.registry,
        "DefaultAdminTransferCanceled",
      );
      await time.increase(ADMIN_DELAY + 1n);
      await expect(f.registry.connect(await successor()).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(f.registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(f.newAdmin);
      expect((await f.registry.pendingDefaultAdmin())[0]).to.equal(f.hospitalB.address);
    });
  });

  describe("acceptDefaultAdminTransfer", function () {
    it("before the delay → AccessControlEnforcedDefaultAdminDelay(schedule), nothing changes", async function () {
      const f = await loadFixture(handoverBegunFixture);
      const next = await successor();
      const accounts = [...actorAddresses(f), next.address];
      const before = await registryState(f.registry, [], accounts);
      await expect(f.registry.connect(next).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(f.registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(f.schedule);
      expect(await registryState(f.registry, [], accounts)).to.deep.equal(before);
    });

    it("in the block whose time equals the schedule → still AccessControlEnforcedDefaultAdminDelay", async function () {
      const f = await loadFixture(handoverBegunFixture);
      const next = await successor();
      await time.setNextBlockTimestamp(f.schedule);
      await expect(f.registry.connect(next).acceptDefaultAdminTransfer({ gasLimit: 200_000 }))
        .to.be.revertedWithCustomError(f.registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(f.schedule);
      expect(await f.registry.defaultAdmin()).to.equal(f.admin.address);
      // One second later the same call goes through.
      await time.setNextBlockTimestamp(f.schedule + 1n);
      await f.registry.connect(next).acceptDefaultAdminTransfer({ gasLimit: 200_000 });
      expect(await f.registry.defaultAdmin()).to.equal(next.address);
    });

    it("by anyone but the pending admin → AccessControlInvalidDefaultAdmin(caller), even after the delay", async function () {
      const f = await loadFixture(handoverBegunFixture);
      await time.increaseTo(f.schedule + 1n);
      for (const caller of [f.admin, f.hospitalA, f.stranger]) {
        await expect(f.registry.connect(caller).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(f.registry, "AccessControlInvalidDefaultAdmin")
          .withArgs(caller.address);
      }
      expect(await f.registry.defaultAdmin()).to.equal(f.admin.address);
    });

    it("after the delay: the new admin takes over, the old one loses every admin power", async function () {
      const f = await loadFixture(handoverBegunFixture);
      const next = await successor();
      await time.increaseTo(f.schedule + 1n);
      const tx = f.registry.connect(next).acceptDefaultAdminTransfer();
      await expect(tx)
        .to.emit(f.registry, "RoleRevoked")
        .withArgs(f.DEFAULT_ADMIN_ROLE, f.admin.address, next.address)
        .and.to.emit(f.registry, "RoleGranted")
        .withArgs(f.DEFAULT_ADMIN_ROLE, next.address, next.address);

      expect(await f.registry.defaultAdmin()).to.equal(next.address);
      expect(await f.registry.hasRole(f.DEFAULT_ADMIN_ROLE, next.address)).to.equal(true);
      expect(await f.registry.hasRole(f.DEFAULT_ADMIN_ROLE, f.admin.address)).to.equal(false);
      const [pending, schedule] = await f.registry.pendingDefaultAdmin();
      expect(pending).to.equal(ethers.ZeroAddress);
      expect(schedule).to.equal(0n);

      // The old admin cannot pause or grant any more; the new one can.
      await expect(f.registry.connect(f.admin).pause())
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, f.DEFAULT_ADMIN_ROLE);
      await expect(f.registry.connect(f.admin).grantRole(f.ISSUER_ROLE, f.stranger.address))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, f.DEFAULT_ADMIN_ROLE);
      await f.registry.connect(next).grantRole(f.ISSUER_ROLE, f.stranger.address);
      expect(await f.registry.hasRole(f.ISSUER_ROLE, f.stranger.address)).to.equal(true);
      await expect(f.registry.connect(next).pause()).to.emit(f.registry, "Paused").withArgs(next.address);
    });

    it("existing members keep their roles across the hand-over", async function () {
      const f = await loadFixture(handoverBegunFixture);
      await time.increaseTo(f.schedule + 1n);
      await f.registry.connect(await successor()).acceptDefaultAdminTransfer();
      for (const hospital of [f.hospitalA, f.hospitalB]) {
        expect(await f.registry.hasRole(f.ISSUER_ROLE, hospital.address)).to.equal(true);
      }
      for (const payer of [f.socialSecurity, f.insurer]) {
        expect(await f.registry.hasRole(f.CLAIMER_ROLE, payer.address)).to.equal(true);
      }
    });

    it("works while paused, so a new admin can take over in an emergency and unpause", async function () {
      const f = await loadFixture(handoverBegunFixture);
      await f.registry.connect(f.admin).pause();
      await time.increaseTo(f.schedule + 1n);
      const next = await successor();
      await f.registry.connect(next).acceptDefaultAdminTransfer();
      await expect(f.registry.connect(next).unpause()).to.emit(f.registry, "Unpaused").withArgs(next.address);
    });
  });

  describe("cancelDefaultAdminTransfer", function () {
    it("cancels the pending hand-over: emits DefaultAdminTransferCanceled, accept fails even after the delay", async function () {
      const f = await loadFixture(handoverBegunFixture);
      await expect(f.registry.connect(f.admin).cancelDefaultAdminTransfer()).to.emit(
        f.registry,
        "DefaultAdminTransferCanceled",
      );
      const [pending, schedule] = await f.registry.pendingDefaultAdmin();
      expect(pending).to.equal(ethers.ZeroAddress);
      expect(schedule).to.equal(0n);
      await time.increaseTo(f.schedule + 1n);
      await expect(f.registry.connect(await successor()).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(f.registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(f.newAdmin);
      expect(await f.registry.defaultAdmin()).to.equal(f.admin.address);
    });

    it("only the admin can cancel → AccessControlUnauthorizedAccount", async function () {
      const f = await loadFixture(handoverBegunFixture);
      await expect(f.registry.connect(await successor()).cancelDefaultAdminTransfer())
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.newAdmin, f.DEFAULT_ADMIN_ROLE);
      expect((await f.registry.pendingDefaultAdmin())[0]).to.equal(f.newAdmin);
    });
  });

  describe("renouncing admin (two-step as well)", function () {
    it("renounceRole(DEFAULT_ADMIN_ROLE) without a scheduled transfer to zero → AccessControlEnforcedDefaultAdminDelay(0)", async function () {
      const f = await loadFixture(deployRegistryFixture);
      await expect(f.registry.connect(f.admin).renounceRole(f.DEFAULT_ADMIN_ROLE, f.admin.address))
        .to.be.revertedWithCustomError(f.registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(0);
      expect(await f.registry.defaultAdmin()).to.equal(f.admin.address);
    });

    it("after beginDefaultAdminTransfer(0) and the delay, the admin can renounce: nobody is admin any more", async function () {
      const f = await loadFixture(deployRegistryFixture);
      await f.registry.connect(f.admin).beginDefaultAdminTransfer(ethers.ZeroAddress);
      const [, schedule] = await f.registry.pendingDefaultAdmin();
      await expect(f.registry.connect(f.admin).renounceRole(f.DEFAULT_ADMIN_ROLE, f.admin.address))
        .to.be.revertedWithCustomError(f.registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      await time.increaseTo(schedule + 1n);
      await f.registry.connect(f.admin).renounceRole(f.DEFAULT_ADMIN_ROLE, f.admin.address);
      expect(await f.registry.defaultAdmin()).to.equal(ethers.ZeroAddress);
      await expect(f.registry.connect(f.admin).pause())
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, f.DEFAULT_ADMIN_ROLE);
    });
  });
});
