package org.keyprov.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.junit.jupiter.api.Test;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.server.provisioning.EnablerInstances.Existing;

class EnablerInstancesTest {
  @Test
  void what_a_device_sends_gives_its_instances_results_resource_by_resource_or_whole() {
    Map<LwM2mPath, LwM2mNode> sent = new LinkedHashMap<>();
    sent.put(
        new LwM2mPath(33001, 0, 1), LwM2mSingleResource.newStringResource(1, "a.enabler.test"));
    sent.put(new LwM2mPath(33001, 0, 10), LwM2mSingleResource.newStringResource(10, "ok"));
    sent.put(
        new LwM2mPath(33001, 2),
        new LwM2mObjectInstance(
            2,
            LwM2mSingleResource.newStringResource(1, "b.enabler.test"),
            LwM2mSingleResource.newStringResource(10, "failed: refused")));
    // another object's values and an instance without a result carry no report
    sent.put(new LwM2mPath(3, 0, 0), LwM2mSingleResource.newStringResource(0, "maker"));
    sent.put(
        new LwM2mPath(33001, 5, 1), LwM2mSingleResource.newStringResource(1, "c.enabler.test"));

    List<Existing> found = EnablerInstances.parseSent(sent);

    int dm = EnablerSecurityObject.SOURCE_DM_SERVER;
    assertThat(found)
        .containsExactly(
            new Existing(0, "a.enabler.test", dm, Optional.of("ok")),
            new Existing(2, "b.enabler.test", dm, Optional.of("failed: refused")),
            new Existing(5, "c.enabler.test", dm, Optional.empty()));
  }
}
