// Builds descriptor sets the way the Cloudstate proxy does at discovery, with the protobuf-java on its classpath:
// every file through FileDescriptor.buildFrom, dependencies first, then every field's Java type looked up (where
// the 0.6.0 proxy failed on a field without its type). Prints one line per set; exits 1 on the first failure.
// Usage: java -cp <proxy classpath> BuildDescriptors.java <set.binpb>...
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

public class BuildDescriptors {
  public static void main(String[] args) throws Exception {
    for (String path : args) {
      FileDescriptorSet set = FileDescriptorSet.parseFrom(Files.readAllBytes(Path.of(path)));
      Map<String, FileDescriptor> built = new HashMap<>();
      int fields = 0;
      try {
        for (FileDescriptorProto proto : set.getFileList()) {
          FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
          for (int i = 0; i < dependencies.length; i++) {
            dependencies[i] = built.get(proto.getDependency(i));
            if (dependencies[i] == null) throw new IllegalStateException(proto.getName() + ": dependency " + proto.getDependency(i) + " comes later or is missing");
          }
          FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
          built.put(file.getName(), file);
          for (Descriptor message : file.getMessageTypes()) fields += checkFields(message);
          for (FieldDescriptor extension : file.getExtensions()) { extension.getJavaType(); fields++; }
        }
      } catch (Exception | Error e) {
        System.out.println("FAILED " + path + ": " + e);
        System.exit(1);
      }
      System.out.println("built " + path + ": " + built.size() + " files, " + fields + " fields");
    }
  }

  private static int checkFields(Descriptor message) {
    int count = 0;
    for (FieldDescriptor field : message.getFields()) {
      field.getJavaType();
      count++;
    }
    for (FieldDescriptor extension : message.getExtensions()) {
      extension.getJavaType();
      count++;
    }
    for (Descriptor nested : message.getNestedTypes()) count += checkFields(nested);
    return count;
  }
}
