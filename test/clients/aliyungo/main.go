// A client of Parapet written with denverdino/aliyungo (Debian's golang-github-denverdino-aliyungo-dev),
// run by test/e2e/clients-aliyungo.test.ts against a real test server. Each subcommand makes
// aliyungo's own calls and prints what aliyungo decoded, as JSON, so the test judges the answers
// through the library's types (Priority is an int there; times are its ISO6801Time).
//
// Usage: PARAPET_ENDPOINT=http://127.0.0.1:PORT/ PARAPET_AK=… PARAPET_SK=… main <command> [args]
//   sg GROUP_ID          DescribeSecurityGroupAttribute
//   vpc ZONE_ID          CreateVpc, DescribeVpcs, ModifyVpcAttribute, CreateVSwitch, DescribeVSwitches,
//                        DeleteVSwitch, DeleteVpc (the ECS version, 2014-05-26)
//   disks INSTANCE_ID    DescribeDisks
//   tags TYPE ID         DescribeTags
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/denverdino/aliyungo/common"
	"github.com/denverdino/aliyungo/ecs"
)

const region = common.Region("cn-hangzhou")

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", step, err)
	os.Exit(1)
}

func emit(v interface{}) {
	out, err := json.Marshal(v)
	if err != nil {
		fail("json", err)
	}
	fmt.Println(string(out))
}

func main() {
	// the plain constructor: the regional ones ask Alibaba's location service for an endpoint first
	client := ecs.NewClientWithEndpoint(os.Getenv("PARAPET_ENDPOINT"), os.Getenv("PARAPET_AK"), os.Getenv("PARAPET_SK"))
	if len(os.Args) < 2 {
		fail("usage", fmt.Errorf("a command is needed"))
	}
	switch os.Args[1] {
	case "sg":
		attr, err := client.DescribeSecurityGroupAttribute(&ecs.DescribeSecurityGroupAttributeArgs{SecurityGroupId: os.Args[2], RegionId: region})
		if err != nil {
			fail("DescribeSecurityGroupAttribute", err)
		}
		emit(attr)
	case "vpc":
		created, err := client.CreateVpc(&ecs.CreateVpcArgs{RegionId: region, CidrBlock: "10.20.0.0/16", VpcName: "from-aliyungo"})
		if err != nil {
			fail("CreateVpc", err)
		}
		if err := client.ModifyVpcAttribute(&ecs.ModifyVpcAttributeArgs{VpcId: created.VpcId, VpcName: "renamed-by-aliyungo", Description: "old form"}); err != nil {
			fail("ModifyVpcAttribute", err)
		}
		vswitchID, err := client.CreateVSwitch(&ecs.CreateVSwitchArgs{VpcId: created.VpcId, ZoneId: os.Args[2], CidrBlock: "10.20.1.0/24", VSwitchName: "vsw-aliyungo"})
		if err != nil {
			fail("CreateVSwitch", err)
		}
		vpcs, _, err := client.DescribeVpcs(&ecs.DescribeVpcsArgs{RegionId: region, VpcId: created.VpcId})
		if err != nil {
			fail("DescribeVpcs", err)
		}
		vswitches, _, err := client.DescribeVSwitches(&ecs.DescribeVSwitchesArgs{RegionId: region, VpcId: created.VpcId})
		if err != nil {
			fail("DescribeVSwitches", err)
		}
		if err := client.DeleteVSwitch(vswitchID); err != nil {
			fail("DeleteVSwitch", err)
		}
		if err := client.DeleteVpc(created.VpcId); err != nil {
			fail("DeleteVpc", err)
		}
		after, _, err := client.DescribeVpcs(&ecs.DescribeVpcsArgs{RegionId: region, VpcId: created.VpcId})
		if err != nil {
			fail("DescribeVpcs after delete", err)
		}
		emit(map[string]interface{}{"created": created, "vswitchId": vswitchID, "vpcs": vpcs, "vswitches": vswitches, "after": after})
	case "disks":
		disks, page, err := client.DescribeDisks(&ecs.DescribeDisksArgs{RegionId: region, InstanceId: os.Args[2]})
		if err != nil {
			fail("DescribeDisks", err)
		}
		emit(map[string]interface{}{"disks": disks, "page": page})
	case "tags":
		tags, page, err := client.DescribeTags(&ecs.DescribeTagsArgs{RegionId: region, ResourceType: ecs.TagResourceType(os.Args[2]), ResourceId: os.Args[3]})
		if err != nil {
			fail("DescribeTags", err)
		}
		emit(map[string]interface{}{"tags": tags, "page": page})
	default:
		fail("usage", fmt.Errorf("unknown command %q", os.Args[1]))
	}
}
