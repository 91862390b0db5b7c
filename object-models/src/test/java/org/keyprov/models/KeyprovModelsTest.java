package org.keyprov.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.ResourceModel.Operations;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.junit.jupiter.api.Test;

class KeyprovModelsTest {

  @Test
  void every_ddf_in_the_folder_loads_with_schema_validation() {
    List<String> files = KeyprovModels.ddfFileNames();
    assertThat(files).contains("33001.xml");
    assertThat(KeyprovModels.load()).hasSameSizeAs(files);
  }

  @Test
  void enabler_security_object_is_multi_instance_in_the_vendor_private_range() {
    ObjectModel model = enablerModel();
    assertThat(model.id).isEqualTo(EnablerSecurityObject.ID).isBetween(32769, 42768);
    assertThat(model.multiple).isTrue();
  }

  @Test
  void psk_secret_key_is_write_only_opaque() {
    ResourceModel key = enablerModel().resources.get(EnablerSecurityObject.PSK_SECRET_KEY);
    assertThat(key.operations).isEqualTo(Operations.W);
    assertThat(key.type).isEqualTo(Type.OPAQUE);
  }

  @Test
  void allow_list_and_cipher_suites_are_multiple_and_invalidate_executes() {
    ObjectModel model = enablerModel();
    assertThat(model.resources.get(EnablerSecurityObject.URL_ALLOW_LIST).multiple).isTrue();
    assertThat(model.resources.get(EnablerSecurityObject.CIPHER_SUITES).multiple).isTrue();
    assertThat(model.resources.get(EnablerSecurityObject.INVALIDATE).operations)
        .isEqualTo(Operations.E);
    assertThat(model.resources.get(EnablerSecurityObject.LAST_CONNECTION_RESULT).operations)
        .isEqualTo(Operations.R);
  }

  @Test
  void defaults_include_leshan_core_objects() {
    assertThat(KeyprovModels.loadWithDefaults())
        .extracting(m -> m.id)
        .contains(0, 1, 2, 3, EnablerSecurityObject.ID);
  }

  private static ObjectModel enablerModel() {
    return KeyprovModels.load().stream()
        .filter(m -> m.id == EnablerSecurityObject.ID)
        .findFirst()
        .orElseThrow();
  }
}
