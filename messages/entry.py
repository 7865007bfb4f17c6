"""Words of the entry pages: `/` (what this is) and the board page's not-found answer."""

MESSAGES: dict[str, str] = {
    "entry.home.title": "督导通 · {office}",
    "entry.home.heading": "责任督学挂牌督导",
    "entry.home.what": "这里是县教育督导室的责任督学挂牌督导服务：每所学校和幼儿园都有一名责任督学，负责监督学校依法办学、受理家长和社会的反映、督促问题整改。",
    "entry.home.parents": "家长和社会公众：请用微信扫描学校门口公示牌上的二维码，直接向这所学校的责任督学反映问题，学校看不到您是谁。",
    "entry.home.public": "查看督导结果公示",
    "entry.home.public_note": "各学校督导次数、整改情况和留言办理情况，向社会公开。",
    "entry.home.office": "督导室工作平台登录",
    "entry.home.office_note": "供县督导室和督学责任区组长使用。",
    "entry.home.ticket": "已经留言？凭留言编号和查询码查询办理进度",
    "entry.not_found.body": "没有找到这所学校的公示信息，可能是二维码已停用或地址有误。请核对地址，或扫描学校门口公示牌上的二维码。",
    "entry.no_hotline": "需要帮助时，可向学校所在乡镇的中心学校或县教育局询问{office}的联系电话。",
}
